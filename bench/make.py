"""Render scripts with the draft profile and print speed, memory and the incremental ratio, side by side.

For each script: a full `shotgraph make` from an empty work folder, then the same script with one dialogue line
edited, made again in the same folder, then with a scene inserted before the first, made again. Prints
  x-realtime   seconds of film per second of wall time (goal: >= 5x at 1280x720 on 2 cores)
  peak RSS     of the make process (goal: < 1.5 GB for a feature)
  incremental  time of the edited make / time of the full make (goal: < 10%), and what the edited make made again
  where the edit's seconds go: start-up (imports, profile, checks) and each graph node, full / edit, how
               much of the start-up is importing the libraries every edit needs (LIBRARIES), and how much of the
               mix is the AAC encode of the sound after the edited line, which any edit there must redo
  warm edit    the same edit saved under `shotgraph make --watch` (as in the review page's worker or the
               Director API, no start-up): from the save to the film made
  new scene    a short scene inserted before the first, made again from the command line: what it made again

    python bench/make.py                 # the examples, then a feature-length script (about 120 pages: slow)
    python bench/make.py --repeat 3      # a shorter generated script instead of the feature
    python bench/make.py --no-feature    # the examples only
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from feature import feature_script  # noqa: E402

from shotgraph.media.encoding import AUDIO_CODEC_ARGS, ffmpeg_exe  # noqa: E402
from shotgraph.media.ffmpeg import probe  # noqa: E402
from shotgraph.render.subtitles import read_srt  # noqa: E402


# Runs `shotgraph make` in this child and reports the child's own peak RSS (ffmpeg runs in grandchildren), the
# seconds before the graph's first node (start-up) and the seconds in each node (wrapped before the graph is built).
CHILD = """
import functools, importlib, resource, sys, time
began = time.perf_counter()
libraries = {}
for name in LIBRARIES:
    importing = time.perf_counter()
    importlib.import_module(name)
    libraries[name] = time.perf_counter() - importing
from shotgraph.production import cutting, picture, reading, review_points, sound
from shotgraph.cli import app
NODES = {reading: ("read", "plan"), sound: ("record", "score", "mix"), cutting: ("time_shots", "cut", "deliver"),
         picture: ("cast", "shoot"), review_points: ("review_plan", "review_shots")}
seconds = {"start-up": 0.0}
def timed(module, name):
    node = getattr(module, name)
    seconds[name] = 0.0
    @functools.wraps(node)
    def run(*args, **kwargs):
        if seconds["start-up"] == 0.0:
            seconds["start-up"] = time.perf_counter() - began
        start = time.perf_counter()
        try:
            return node(*args, **kwargs)
        finally:
            seconds[name] += time.perf_counter() - start
    setattr(module, name, run)
for module, names in NODES.items():
    for name in names:
        timed(module, name)
try:
    app(sys.argv[1:], prog_name="shotgraph")
except SystemExit as done:
    if done.code:
        raise
sys.stderr.write(f"\\npeak-rss-kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")
sys.stderr.write("".join(f"node-seconds {name} {value:.2f}\\n" for name, value in seconds.items()))
sys.stderr.write("".join(f"import-seconds {name} {value:.2f}\\n" for name, value in libraries.items()))
"""
# The libraries every edit needs, imported (and timed) first: the floor of an edit's start-up. langgraph runs the
# graph; scipy.signal filters the re-recorded line, its shot's foley and the mix's loudness meter; scipy.ndimage
# is the limiter's.
LIBRARIES = ("langgraph.graph", "langgraph.checkpoint.sqlite", "scipy.signal", "scipy.ndimage")


@dataclass
class Run:
    wall: float  # seconds
    film: float  # seconds of film
    rss: int  # peak RSS of the make process, bytes
    made: str  # the report's line of what it computed (not reused)
    nodes: dict[str, float]  # seconds of start-up and in each graph node
    imports: dict[str, float]  # seconds importing each of LIBRARIES (part of the start-up)


def make(script: Path, workdir: Path, resolution: str) -> Run:
    """Run `shotgraph make` in a child process."""
    command = [sys.executable, "-c", f"LIBRARIES = {LIBRARIES!r}\n{CHILD}", "make", str(script), "--workdir", str(workdir),
               "--resolution", resolution]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"make failed on {script}:\n{done.stdout}\n{done.stderr}")
    rss = int(re.search(r"peak-rss-kb (\d+)", done.stderr).group(1)) * 1024
    duration = probe(script.with_suffix(".mp4")).duration
    if duration is None:
        raise SystemExit(f"{script.with_suffix('.mp4')}: no duration in the film")
    made = re.search(r"^ *made: (.*)$", done.stdout, re.MULTILINE)
    nodes = {name: float(value) for name, value in re.findall(r"node-seconds ([\w-]+) ([\d.]+)", done.stderr)}
    imports = {name: float(value) for name, value in re.findall(r"import-seconds ([\w.]+) ([\d.]+)", done.stderr)}
    return Run(wall, duration, rss, made.group(1) if made else "nothing", nodes, imports)


def edit_one_line(script: Path) -> None:
    """Append words to the first line of dialogue: changes its audio and the length of its shot."""
    lines = script.read_text(encoding="utf-8").split("\n")
    for i in range(1, len(lines) - 1):
        cue, speech = lines[i], lines[i + 1]
        if lines[i - 1] == "" and re.fullmatch(r"[A-Z][A-Z .'\-]+", cue) and speech and not speech.startswith("("):
            lines[i + 1] = speech + " And one more thing, before I forget."
            break
    else:
        raise SystemExit(f"{script}: no dialogue line to edit")
    script.write_text("\n".join(lines), encoding="utf-8")


INSERTED = "INT. STAIRWELL - NIGHT\n\nFootsteps echo on wet concrete. A door bangs somewhere above.\n\n"


def with_a_scene_first(text: str) -> str:
    """`text` with INSERTED, a short scene, before its first scene heading: every later scene is renumbered."""
    first = re.search(r"^(?:INT|EXT|EST|I/E)[./ ]|^\.[A-Z]", text, re.MULTILINE)
    if first is None:
        raise SystemExit("no scene heading to insert a scene before")
    return text[:first.start()] + INSERTED + text[first.start():]


def insert_a_scene(script: Path) -> None:
    script.write_text(with_a_scene_first(script.read_text(encoding="utf-8")), encoding="utf-8")


# The same edit where shotgraph is already running: `make --watch` on a copy of the work folder as the full make
# left it (it makes the film once more, all of it reused), then the line edited: the seconds from the save to the
# film made, which include noticing the save (within POLL_S + SETTLE_S, 0.15 s).
def warm_edit(script: Path, workdir: Path, resolution: str) -> float:
    """Seconds from saving the edit to the film made, under `shotgraph make --watch`."""
    command = [sys.executable, "-m", "shotgraph", "make", str(script), "--workdir", str(workdir), "--resolution",
               resolution, "--watch"]
    watching = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in watching.stdout:
            if line.startswith("watching "):
                break
        else:
            raise SystemExit(f"make --watch stopped on {script}")
        edit_one_line(script)
        saved = time.perf_counter()
        for line in watching.stdout:
            if line.startswith("error"):
                raise SystemExit(f"make --watch failed on the edit of {script}: {line}")
            if line.startswith("watching "):
                return time.perf_counter() - saved
        raise SystemExit(f"make --watch stopped on the edit of {script}")
    finally:
        watching.send_signal(signal.SIGINT)
        watching.wait(timeout=60)


def aac_after_the_edit(film: Path) -> tuple[float, float]:
    """The seconds of `film`'s sound from its first subtitle (the edited line) to its end, and the CPU seconds
    ffmpeg takes to encode them with the film's codec settings.

    That encode is in every edit of a line there, however incremental the mix: AAC codes frames of 1024 samples and
    a frame of picture is 2000 (48 kHz, 24 fps), so a shot lengthened by whole frames moves every AAC frame after it.
    """
    start = read_srt(film.with_suffix(".srt"))[0].start
    with tempfile.TemporaryDirectory() as folder:
        pcm = Path(folder) / "after.f32"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{start:.3f}", "-i", str(film), "-vn", "-f", "f32le",
                        "-ac", "2", "-ar", "48000", str(pcm)], check=True)
        seconds = pcm.stat().st_size / (48000 * 2 * 4)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", "48000", "-ac", "2", "-i", str(pcm),
                        *AUDIO_CODEC_ARGS, "-f", "mp4", str(Path(folder) / "after.m4a")], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def bench(name: str, text: str, resolution: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / f"{name}.fountain"
        script.write_text(text, encoding="utf-8")
        full = make(script, Path(folder) / "work", resolution)
        unedited = Path(folder) / "warm" / script.name
        shutil.copytree(Path(folder) / "work", unedited.parent / "work")
        shutil.copy(script, unedited)
        edit_one_line(script)
        again = make(script, Path(folder) / "work", resolution)
        sound_after, encoding = aac_after_the_edit(script.with_suffix(".mp4"))
        warm = warm_edit(unedited, unedited.parent / "work", resolution)
        insert_a_scene(script)
        inserted = make(script, Path(folder) / "work", resolution)
    shown = [node for node in full.nodes if max(full.nodes[node], again.nodes[node]) >= 0.05]
    nodes = "  ".join(f"{node} {full.nodes[node]:.1f}/{again.nodes[node]:.1f}" for node in shown)
    rest = again.wall - sum(again.nodes.values())
    print(f"{name:<16} {full.film / 60:6.1f} min film  {full.wall:7.1f} s  {full.film / full.wall:5.1f}x realtime  "
          f"peak RSS {full.rss / 1e6:6.0f} MB  edit one line: {again.wall:5.1f} s = "
          f"{100 * again.wall / full.wall:4.1f}% of full\n"
          f"{'':<16} seconds, full/edit: {nodes}  (edit: {rest:.1f} s outside them: Python start, report, exit)\n"
          f"{'':<16} the edit's start-up imported " + ", ".join(f"{name} {sec:.1f} s" for name, sec in again.imports.items())
          + "\n"
          f"{'':<16} the edit made again: {again.made}\n"
          f"{'':<16} of its mix, encoding the {sound_after:.0f} s of sound after the edited line to AAC takes "
          f"{encoding:.1f} s of one core: no incremental mix avoids it (a lengthened shot moves every AAC frame after "
          f"it)\n"
          f"{'':<16} the same edit saved under make --watch (a process already running): "
          f"{warm:.1f} s = {100 * warm / full.wall:4.1f}% of full\n"
          f"{'':<16} a new scene before the first: {inserted.wall:.1f} s = {100 * inserted.wall / full.wall:4.1f}% of "
          f"full; made again: {inserted.made}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resolution", default="1280x720")
    parser.add_argument("--repeat", type=int, default=20, help="copies of the examples in the generated script")
    parser.add_argument("--no-feature", action="store_true", help="only the examples")
    args = parser.parse_args()
    print(f"draft profile at {args.resolution}; goals: >= 5x realtime, < 1500 MB, edit < 10% of full")
    for example in sorted((ROOT / "examples").glob("*.fountain")):
        bench(example.stem, example.read_text(encoding="utf-8"), args.resolution)
    if not args.no_feature:
        bench(f"generated x{args.repeat}", feature_script(args.repeat), args.resolution)


if __name__ == "__main__":
    main()
