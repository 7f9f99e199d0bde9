"""The compositor: render the OTIO timeline (the same object that is exported) into one MP4.

Picture is joined by stream copy wherever it can be: a shot whose joins are both cuts is used as it was
encoded. A transition re-encodes only its own frames (a short segment at the join) and the trimmed bodies of the
two shots beside it; each of those is an artifact in the store, keyed by its inputs' content and the trim, so an
edit re-renders only the joins it touches. The concat demuxer then joins every segment, and one mux adds the AAC
mix, a mov_text subtitle track and one chapter per scene. Burned-in subtitles need one re-encode of the picture.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import opentimelineio as otio

from shotgraph.config import OutputSettings
from shotgraph.errors import RenderError
from shotgraph.media.encoding import AUDIO_CODEC_ARGS, segment_video_args
from shotgraph.media.ffmpeg import (
    count_frames,
    escape_concat_path,
    escape_ffmetadata,
    escape_filter_value,
    probe,
    run_ffmpeg,
)
from shotgraph.render.subtitles import burn_in_ass, mov_text_ass, read_srt
from shotgraph.render.timeline import META, VIDEO_TRACK, media_path, track
from shotgraph.media.lettering import font_file, subtitle_fonts
from shotgraph.store import ArtifactStore, artifact_key, scratch_dir


STAGE = "cut"
BACKEND = "ffmpeg"
_XFADE = {"dissolve": "fade"}  # transition kind → xfade transition


@dataclass
class Chapter:
    title: str
    start: float  # seconds
    end: float


@dataclass
class FilmResult:
    path: Path
    frames: int
    fps: int
    duration: float  # seconds of picture
    chapters: int
    subtitles: bool  # a mov_text track is present
    burned_subtitles: bool
    segments: int  # pieces joined by the concat demuxer
    parts: list[Path]  # those pieces: shot segments as given, trimmed bodies and transitions from the store


@dataclass
class _Piece:
    """One clip of the picture track and how much of each end a transition takes."""

    path: Path
    frames: int
    head: int = 0  # frames at the start taken by the transition into it
    tail: int = 0  # frames at the end taken by the transition out of it


def _file_key(path: Path, cache: dict[Path, str], store: ArtifactStore) -> str:
    """A stored artifact is named by its key already; anything else is keyed by its content."""
    if path.resolve().is_relative_to(store.objects.resolve()):
        return path.name.split(".", 1)[0]
    if path not in cache:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        cache[path] = digest.hexdigest()[:32]
    return cache[path]


def _check_writable(out: Path) -> None:
    """Fail before any heavy work if the film cannot be written where asked."""
    if out.is_dir():
        raise RenderError(f"{out}: cannot write the film there: it is a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, probe_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".check", dir=out.parent)
        os.close(fd)
        os.unlink(probe_name)
    except OSError as exc:
        raise RenderError(f"{out}: cannot write the film there: {exc.strerror or exc}") from exc


def chapters_from_markers(timeline: otio.schema.Timeline) -> list[Chapter]:
    """One chapter per scene marker; the first also covers the title card, so chapters start at 0."""
    markers = sorted(track(timeline, VIDEO_TRACK).markers, key=lambda m: m.marked_range.start_time.to_seconds())
    chapters = [Chapter(m.name, m.marked_range.start_time.to_seconds(), m.marked_range.end_time_exclusive().to_seconds())
                for m in markers]
    if chapters:
        chapters[0].start = 0.0
    return chapters


def ffmetadata_text(title: str, chapters: list[Chapter]) -> str:
    lines = [";FFMETADATA1", f"title={escape_ffmetadata(title)}"]
    for chapter in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(chapter.start * 1000)}",
                  f"END={round(chapter.end * 1000)}", f"title={escape_ffmetadata(chapter.title)}"]
    return "\n".join(lines) + "\n"


def render_film(
    timeline: otio.schema.Timeline,
    out: str | Path,
    *,
    output: OutputSettings,
    store: ArtifactStore,
    mix: str | Path,
    subtitles_srt: str | Path | None = None,
    chapters: list[Chapter] | None = None,
    subtitle_language: str = "eng",
) -> FilmResult:
    """Render `timeline` to `out` (MP4). Returns what was written; raises RenderError on any failure."""
    out, mix = Path(out), Path(mix)
    fps = output.fps

    # 1. Check inputs, and that the output can be written, before any encoding.
    _check_writable(out)
    if not mix.is_file():
        raise RenderError(f"{mix}: the mix to put under the film does not exist")
    srt = Path(subtitles_srt) if subtitles_srt is not None else None
    if srt is not None and not srt.is_file():
        raise RenderError(f"{srt}: subtitle file does not exist")
    cues = read_srt(srt) if srt is not None else []
    has_subtitles = bool(cues)
    picture = track(timeline, VIDEO_TRACK)

    # 2. Read the picture track: clips, and the frames each transition takes from its neighbours.
    pieces: list[_Piece] = []
    joins: dict[int, otio.schema.Transition] = {}  # index of the piece after the join → transition
    for item in picture:
        if isinstance(item, otio.schema.Transition):
            joins[len(pieces)] = item
        elif isinstance(item, otio.schema.Clip):
            frames = round(item.source_range.duration.rescaled_to(fps).value)
            pieces.append(_Piece(path=media_path(item), frames=frames))
        else:
            raise RenderError(f"picture track item '{item.name}' is a {type(item).__name__}; only clips and transitions render")
    for index, join in joins.items():
        before = round(join.in_offset.rescaled_to(fps).value)
        after = round(join.out_offset.rescaled_to(fps).value)
        ending = index == len(pieces) and after == 0  # the film's closing fade: nothing comes after it
        if (index >= len(pieces) and not ending) or (before and index == 0):
            raise RenderError(f"transition '{join.name}' has no shot on one side")
        if before:
            pieces[index - 1].tail = before
        if not ending:
            pieces[index].head = after
    for piece in pieces:
        if not piece.path.is_file():
            raise RenderError(f"{piece.path}: video segment missing")
        if piece.head + piece.tail > piece.frames:
            raise RenderError(f"{piece.path}: transitions take {piece.head + piece.tail} of its {piece.frames} frames")
    total_frames = sum(p.frames for p in pieces)
    if total_frames == 0:
        raise RenderError("the timeline has no picture")
    duration = total_frames / fps

    mix_info = probe(mix)
    if mix_info.duration is None or abs(mix_info.duration - duration) > 1.0 / fps:
        raise RenderError(f"{mix}: the mix lasts {mix_info.duration} s but the picture lasts {duration:.3f} s")

    # 3. Segments: untouched shots as they are, trimmed bodies and transitions from the store.
    keys: dict[Path, str] = {}
    video_args = segment_video_args(fps)
    fields = {"stage": STAGE, "backend": BACKEND, "ffmpeg": imageio_ffmpeg.__version__, "fps": fps, "args": video_args}
    segments: list[Path] = []
    for i, piece in enumerate(pieces):
        if i in joins and (joins[i].in_offset.value or joins[i].out_offset.value):
            segments.append(_transition_segment(store, fields, joins[i], pieces[i - 1] if i else None, piece, keys, fps))
        body = piece.frames - piece.head - piece.tail
        if body <= 0:
            continue
        if piece.head == 0 and piece.tail == 0:
            segments.append(piece.path)
            continue
        key = artifact_key({**fields, "op": "trim", "start": piece.head, "frames": body}, [_file_key(piece.path, keys, store)])

        def write_body(tmp: Path, piece: _Piece = piece, body: int = body) -> None:
            run_ffmpeg(["-i", str(piece.path), "-vf",
                        f"trim=start_frame={piece.head}:end_frame={piece.head + body},setpts=PTS-STARTPTS",
                        "-frames:v", str(body), *video_args, "-f", "mp4", str(tmp)],
                       what=f"trimming {piece.path.name} for a transition")

        segments.append(store.fetch_or_make(key, ".mp4", write_body, stage=STAGE, backend=BACKEND))
    if len(pieces) in joins:
        segments.append(_transition_segment(store, fields, joins[len(pieces)], pieces[-1], None, keys, fps))

    # 4. Join, mux with the mix, subtitles and chapters, into a temporary file beside the output.
    chapters = chapters if chapters is not None else chapters_from_markers(timeline)
    scratch = scratch_dir(out.parent, "render")
    work = Path(scratch.name)
    try:
        (work / "segments.txt").write_text("".join(f"file {escape_concat_path(p.resolve())}\n" for p in segments),
                                           encoding="utf-8")
        (work / "chapters.txt").write_text(ffmetadata_text(timeline.name, chapters), encoding="utf-8")
        args = ["-f", "concat", "-safe", "0", "-i", "segments.txt", "-i", str(mix.resolve())]
        maps = ["-map", "0:v:0", "-map", "1:a:0"]
        if has_subtitles:
            # Not the SRT itself: ffmpeg's SRT decoder reads tags and `\` sequences in it as markup.
            (work / "subtitles.ass").write_text(mov_text_ass(cues), encoding="utf-8")
            args += ["-i", "subtitles.ass"]
            maps += ["-map", "2:s:0", "-c:s", "mov_text", "-metadata:s:s:0", f"language={subtitle_language}"]
        args += ["-i", "chapters.txt"]
        meta_input = str(3 if has_subtitles else 2)
        maps += ["-map_metadata", meta_input, "-map_chapters", meta_input]
        if output.burn_subtitles and has_subtitles:
            # libass gets the draft's own bundled font from a folder of its own, so burned text looks the same on
            # every machine and appears even where fontconfig knows no fonts.
            bundled = font_file()
            (work / "fonts").mkdir()
            (work / "fonts" / "bundled.ttf").write_bytes(bundled.data)
            # and the fonts a frame would draw the subtitles' other characters with: the same choice for both
            for n, extra in enumerate(subtitle_fonts(" ".join(row for cue in cues for row in cue.rows))):
                shutil.copyfile(extra, work / "fonts" / f"fallback-{n}{extra.suffix}")
            (work / "burn-in.ass").write_text(burn_in_ass(cues, bundled.family), encoding="utf-8")
            picture_args = ["-vf", f"ass=filename={escape_filter_value('burn-in.ass')}"
                                   f":fontsdir={escape_filter_value('fonts')}",
                            *[a for a in video_args if a != "-an"]]
        else:
            picture_args = ["-c:v", "copy"]
        film = work / "film.mp4"
        # a mix already in AAC (the mix stage encodes it while mixing) is copied: encoding it here would be the
        # cut's longest step, and would repeat on every edit
        audio_args = ["-c:a", "copy"] if [s.codec for s in mix_info.of_kind("audio")] == ["aac"] else AUDIO_CODEC_ARGS
        run_ffmpeg([*args, *maps, *picture_args, *audio_args, "-t", f"{duration:.6f}",
                    "-movflags", "+faststart", "-f", "mp4", "film.mp4"],
                   what=f"assembling {out.name}", cwd=work)

        # 5. Verify the picture is exactly as long as the timeline, then move into place.
        frames = count_frames(film)
        if frames != total_frames:
            raise RenderError(f"{out}: the film has {frames} frames, the timeline {total_frames}")
        info = probe(film)
        audio_streams = info.of_kind("audio")
        if not audio_streams or info.duration is None or abs(info.duration - duration) > 1.5 / fps:
            raise RenderError(f"{out}: the film lasts {info.duration} s, the timeline {duration:.3f} s")
        os.replace(film, out)
    except OSError as exc:
        raise RenderError(f"{out}: cannot write the film: {exc}") from exc
    finally:
        scratch.cleanup()

    return FilmResult(path=out, frames=total_frames, fps=fps, duration=duration, chapters=len(chapters),
                      subtitles=has_subtitles, burned_subtitles=output.burn_subtitles and has_subtitles,
                      segments=len(segments), parts=segments)


def _transition_segment(
    store: ArtifactStore,
    fields: dict,
    join: otio.schema.Transition,
    before_piece: _Piece | None,
    after_piece: _Piece | None,
    keys: dict[Path, str],
    fps: int,
) -> Path:
    """The frames of one join: the outgoing tail and incoming head blended (xfade) or faded from or to black.
    The film's closing fade has no incoming piece."""
    kind = str(join.metadata.get(META, {}).get("kind", join.name))
    before = round(join.in_offset.rescaled_to(fps).value)
    after = round(join.out_offset.rescaled_to(fps).value)
    frames = before + after
    inputs = [_file_key(p.path, keys, store) for p in ((before_piece if before else None), after_piece) if p]
    key = artifact_key({**fields, "op": kind, "before": before, "after": after,
                        "from_frame": before_piece.frames - before if before else 0}, inputs)
    video_args = segment_video_args(fps)

    def write(tmp: Path) -> None:
        if after_piece is None:  # the ending: the last shot's tail fades to black
            graph = (f"[0:v]trim=start_frame={before_piece.frames - before},setpts=PTS-STARTPTS,"
                     f"fade=t=out:start_frame=0:nb_frames={max(1, before - 1)}[v]")  # the last frame is black
            sources = ["-i", str(before_piece.path)]
        elif before == 0:  # fade in from black, wholly in the incoming shot
            graph = (f"[0:v]trim=end_frame={after},setpts=PTS-STARTPTS,"
                     f"fade=t=in:start_frame=0:nb_frames={after}[v]")
            sources = ["-i", str(after_piece.path)]
        elif kind == "fade out":  # a dip to black: the outgoing tail fades out, the incoming head fades in
            graph = (f"[0:v]trim=start_frame={before_piece.frames - before},setpts=PTS-STARTPTS,"
                     f"fade=t=out:start_frame=0:nb_frames={before}[a];"
                     f"[1:v]trim=end_frame={after},setpts=PTS-STARTPTS,fade=t=in:start_frame=0:nb_frames={after}[b];"
                     "[a][b]concat=n=2:v=1:a=0[v]")
            sources = ["-i", str(before_piece.path), "-i", str(after_piece.path)]
        else:
            if kind not in _XFADE:
                raise RenderError(f"transition '{kind}' cannot be rendered; known: 'dissolve', 'fade in', 'fade out'")
            # The outgoing shot holds its last frame and the incoming one its first, so the blend covers
            # exactly `before` + `after` frames and the film keeps its length (the segments carry no handles).
            graph = (f"[0:v]trim=start_frame={before_piece.frames - before},setpts=PTS-STARTPTS,"
                     f"tpad=stop_mode=clone:stop={after}[a];"
                     f"[1:v]trim=end_frame={after},setpts=PTS-STARTPTS,tpad=start_mode=clone:start={before}[b];"
                     f"[a][b]xfade=transition={_XFADE[kind]}:duration={frames / fps:.6f}:offset=0[v]")
            sources = ["-i", str(before_piece.path), "-i", str(after_piece.path)]
        run_ffmpeg([*sources, "-filter_complex", graph, "-map", "[v]", "-frames:v", str(frames), *video_args,
                    "-f", "mp4", str(tmp)], what=f"rendering a {kind} at {(after_piece or before_piece).path.name}")

    return store.fetch_or_make(key, ".mp4", write, stage=STAGE, backend=BACKEND)
