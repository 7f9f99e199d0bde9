"""The cut stage: title card, the OTIO timeline, subtitles, and the rendered film, each cached in the store.

The OTIO timeline built here is the one object that is both rendered by the compositor and exported as
`film.otio`, so what the editor opens is exactly what was cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from shotgraph.director.plan import FilmPlan
from shotgraph.director.screenplay.model import Screenplay
from shotgraph.media.lettering import lettering_key
from shotgraph.render.compositor import chapters_from_markers, render_film
from shotgraph.render.subtitles import dialogue_cues, srt_text, vtt_text
from shotgraph.render.timeline import PlacedCue, TimelineMedia, build_timeline, write_otio
from shotgraph.render.timing import Timing
from shotgraph.store import artifact_key

if TYPE_CHECKING:
    from shotgraph.production.crew import Crew
    from shotgraph.audio.cues import CueSpan

# 2: subtitles reach ffmpeg as ASS, escaped (earlier films mangled markup-like text)
# 3: burned-in subtitles drawn in the bundled font (earlier films used whatever font the machine had, or none)
VERSION = "3"


def title_lines(screenplay: Screenplay) -> list[str]:
    """Title, then credit and author as a title card shows them ("written by" / "Jane Doe")."""
    title = screenplay.title_page_value("Title") or ""
    lines = [" ".join(row.split()) for row in title.split("\n") if row.strip()] or [screenplay.title]
    for field in ("Credit", "Author", "Authors"):
        value = " ".join((screenplay.title_page_value(field) or "").split())
        if value:
            lines.append(value)
    return lines


def _stem(path: str | Path) -> str:
    return Path(path).name.split(".", 1)[0]


def cut_film(
    crew: Crew, screenplay: Screenplay, plan: FilmPlan, timing: Timing, state: dict[str, Any], cues: list[CueSpan]
) -> tuple[dict[str, Path], list[Path]]:
    """Render the film from the state's segments and mix.

    Returns the film, subtitles and OTIO in the store, and the pieces the film was joined from (kept by gc).
    """
    from shotgraph.stages.slate import render_card

    store, out = crew.store, crew.profile.output
    size = [out.width, out.height]

    # 1. Title card, exactly as long as the timing says.
    title_card = None
    if timing.title_frames:
        lines = title_lines(screenplay)
        key = artifact_key({"stage": "title", "version": VERSION, **lettering_key(*lines), "lines": lines,
                            "frames": timing.title_frames,
                            "fps": out.fps, "size": size})
        title_card = store.fetch_or_make(
            key, ".mp4", lambda tmp: render_card(lines, timing.title_frames, out.fps, out.width, out.height, tmp,
                                                 kind="title"),
            stage="title", backend="card")

    # 2. The timeline, over the stored media.
    media = TimelineMedia(
        title_card=title_card,
        segments={shot: Path(p) for shot, p in state["segments"].items()},
        music=[PlacedCue(c.name, Path(state["music"][c.name]), c.start, c.seconds, c.rendered, c.fade) for c in cues],
        effects={shot: Path(p) for shot, p in state["effects"].items()},
        ambience=[PlacedCue(c.name, Path(state["ambience"][c.name]), c.start, c.seconds, c.rendered, c.fade)
                  for c in cues],
        mix=Path(state["mix"]["mix"]),
    )
    timeline = build_timeline(plan, screenplay, timing, media)

    # 3. Subtitles and the exported timeline, keyed by their own content.
    cues = dialogue_cues(timeline)
    made: dict[str, Path] = {}
    for kind, text in (("srt", srt_text(cues)), ("vtt", vtt_text(cues))):
        key = artifact_key({"stage": "subtitles", "format": kind, "text": text})
        made[kind] = store.fetch_or_make(key, f".{kind}", lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"),
                                         stage="subtitles", backend=kind, may_be_empty=True)  # a silent film

    # 4. The film: everything it is made of is in its key, so an unchanged cut is reused as it is.
    inputs = [_stem(title_card)] if title_card else []
    inputs += [_stem(state["segments"][s.shot_id]) for s in timing.shots]
    inputs += [_stem(state["mix"]["mix"]), _stem(made["srt"]), _stem(state["timing"])]
    settings = out.model_dump(include={"fps", "width", "height", "burn_subtitles"})
    burned = lettering_key(*(row for cue in cues for row in cue.rows)) if out.burn_subtitles else {}
    film_key = artifact_key({"stage": "film", "version": VERSION, "settings": settings, "title": timeline.name,
                             **burned}, inputs)
    with store.exclusive(film_key, "film"):  # another run cutting the same film: wait, then reuse it
        made["film"] = store.get(film_key, "film")
        if made["film"] is None:
            meta: dict[str, Any] = {}

            def write_film(tmp: Path) -> None:
                result = render_film(timeline, tmp, output=out, store=store, mix=state["mix"]["mix"],
                                     subtitles_srt=made["srt"], chapters=chapters_from_markers(timeline))
                meta["parts"] = [str(part) for part in result.parts]  # indexed with the film, after this write

            made["film"] = store.put(film_key, ".mp4", write_film, stage="film", backend="ffmpeg", meta=meta)
    parts = [Path(part) for part in (store.meta(film_key) or {}).get("parts", [])]
    otio_key = artifact_key({"stage": "otio", "version": VERSION}, [film_key])
    made["otio"] = store.fetch_or_make(otio_key, ".otio", lambda tmp: write_otio(timeline, tmp),
                                       stage="otio", backend="opentimelineio")
    return made, parts
