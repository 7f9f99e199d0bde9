"""The draft music backend: a procedural score per scene, written from the scene's music cue.

Mood picks key, mode and progression; `tempo_bpm` sets the bar; `instrumentation` names simple synthesis voices;
`intensity` sets density and level. One chord per bar, voice-led. Every distinct note (instrument, pitch, length)
is synthesised once and then placed as often as the arrangement needs it, so a long cue costs little more than
its distinct notes plus one pass of reverb. Deterministic from the seed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.audio.music import MusicBackend, MusicRequest
from shotgraph.audio.score_voices import Stereo, bass, drone, pad, piano, pluck, strings, tick
from shotgraph.director.plan import MusicCue
from shotgraph.errors import BackendError

log = logging.getLogger(__name__)

SYNTH_VERSION = "2"  # 2: no edge fades; the mix fades each cue where it cuts it
PEAK_DBFS = -3.0



# --- harmony ---------------------------------------------------------------------------------------------------

# Chords as (root, intervals) in semitones above the tonic.
CHORDS: dict[str, tuple[int, tuple[int, ...]]] = {
    "I": (0, (0, 4, 7)), "ii": (2, (0, 3, 7)), "iii": (4, (0, 3, 7)), "IV": (5, (0, 4, 7)),
    "V": (7, (0, 4, 7)), "vi": (9, (0, 3, 7)),
    "i": (0, (0, 3, 7)), "bII": (1, (0, 4, 7)), "III": (3, (0, 4, 7)), "iv": (5, (0, 3, 7)),
    "VI": (8, (0, 4, 7)), "VII": (10, (0, 4, 7)),
}


@dataclass(frozen=True)
class MoodSpec:
    mode: str  # "major" or "minor"
    tonics: tuple[int, ...]  # pitch classes the seed chooses from (0 = C)
    register: int  # MIDI note around which chords are voiced
    progressions: tuple[tuple[str, ...], ...]
    instruments: tuple[str, ...]  # used when the cue names none
    density: float  # scales how many notes the arpeggio plays
    brightness: float  # scales the low-pass cut-off of pads and strings


MOODS: dict[str, MoodSpec] = {
    "tense": MoodSpec("minor", (2, 4), 52, (("i", "VI", "iv", "V"), ("i", "i", "VI", "V")),
                      ("drone", "pulse", "strings"), 0.5, 0.7),
    "eerie": MoodSpec("minor", (1, 3), 50, (("i", "bII", "i", "V"), ("i", "VI", "bII", "V")),
                      ("drone", "pad"), 0.3, 0.55),
    "melancholy": MoodSpec("minor", (9, 4), 57, (("i", "VI", "III", "VII"), ("i", "iv", "VI", "V")),
                           ("pad", "piano"), 0.5, 0.8),
    "warm": MoodSpec("major", (5, 10), 58, (("I", "V", "vi", "IV"), ("I", "vi", "IV", "V")),
                     ("pad", "piano", "bass"), 0.8, 1.0),
    "joyful": MoodSpec("major", (7, 2), 60, (("I", "V", "vi", "IV"), ("I", "IV", "V", "IV")),
                       ("pluck", "bass", "pulse", "pad"), 1.0, 1.2),
    "calm": MoodSpec("major", (0, 3), 57, (("I", "IV", "vi", "V"), ("I", "iii", "IV", "I")),
                     ("pad",), 0.4, 0.8),
}

# Words a planner may write for a mood, mapped to the mood that scores it. First match in the cue wins.
MOOD_WORDS: dict[str, str] = {
    "tense": "tense", "suspense": "tense", "anxious": "tense", "urgent": "tense", "threat": "tense",
    "eerie": "eerie", "ominous": "eerie", "creepy": "eerie", "dread": "eerie", "dark": "eerie", "mysterious": "eerie",
    "melancholy": "melancholy", "sad": "melancholy", "somber": "melancholy", "sombre": "melancholy",
    "grief": "melancholy", "wistful": "melancholy", "lonely": "melancholy",
    "warm": "warm", "tender": "warm", "romantic": "warm", "hopeful": "warm", "nostalgic": "warm",
    "joyful": "joyful", "happy": "joyful", "playful": "joyful", "triumphant": "joyful", "upbeat": "joyful",
    "calm": "calm", "peaceful": "calm", "serene": "calm", "quiet": "calm", "neutral": "calm",
}


def mood_of(text: str) -> str:
    words = text.lower()
    for word, mood in MOOD_WORDS.items():
        if word in words:
            return mood
    log.info("music: mood %r not recognised; scoring it as 'calm' (known words: %s)", text, sorted(MOOD_WORDS))
    return "calm"


def voice_lead(chords: list[tuple[int, ...]], start: list[int]) -> list[list[int]]:
    """Voice each chord (pitch classes) so that every voice moves as little as possible from the last chord.

    A gentle pull back to the starting register keeps a long cue from wandering up or down.
    """
    voicings, previous, centre = [], start, sum(start) / len(start)
    for pcs in chords:
        best, best_cost = previous, None
        for order in itertools.permutations(pcs):
            notes = [p + ((pc - p + 6) % 12) - 6 for p, pc in zip(previous, order)]  # nearest note with that pc
            cost = (sum(abs(n - p) for n, p in zip(notes, previous)) + 4 * (len(set(notes)) < len(notes))
                    + 0.5 * abs(sum(notes) / len(notes) - centre))
            if best_cost is None or cost < best_cost:
                best, best_cost = notes, cost
        previous = sorted(best)
        voicings.append(previous)
    return voicings


@dataclass(frozen=True)
class ScoreSketch:
    """What the arrangement decided, before any sound: useful to log and to test against."""

    mood: str
    mode: str
    tonic: int  # pitch class
    progression: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]  # role -> instrument names in the cue
    bar_s: float
    beat_s: float


# Instrument names a cue may carry, mapped to (role, voice). First matching word wins; unknown names play as pads.
Voice = Callable[[int, int, int, float], Stereo]
INSTRUMENTS: dict[str, tuple[str, Voice]] = {
    "pad": ("chords", pad), "synth": ("chords", pad), "organ": ("chords", pad), "choir": ("chords", pad),
    "string": ("chords", strings), "violin": ("chords", strings), "cello": ("chords", strings),
    "orchestra": ("chords", strings),
    "piano": ("arpeggio", piano), "keys": ("arpeggio", piano), "celesta": ("arpeggio", piano),
    "pluck": ("arpeggio", pluck), "guitar": ("arpeggio", pluck), "harp": ("arpeggio", pluck),
    "bass": ("bass", bass),
    "pulse": ("beat", tick), "percussion": ("beat", tick), "drum": ("beat", tick), "tick": ("beat", tick),
    "clock": ("beat", tick),
    "drone": ("drone", drone),
}


def instrument_of(name: str) -> tuple[str, Voice]:
    lowered = name.lower()
    for word, entry in INSTRUMENTS.items():
        if word in lowered:
            return entry
    log.info("music: instrument %r not known; playing it as a pad (known words: %s)", name, sorted(INSTRUMENTS))
    return INSTRUMENTS["pad"]


# --- the backend -------------------------------------------------------------------------------------------------


class _Track:
    """The cue's two buses, dry and reverberant, with a cache so each distinct note is synthesised once."""

    SEND = 0.4  # how much of the reverberant bus feeds the reverb

    def __init__(self, frames: int, sr: int, brightness: float):
        self.frames, self.sr, self.brightness = frames, sr, brightness
        self.dry = np.zeros((2, frames), dtype=np.float32)
        self.hall = np.zeros((2, frames), dtype=np.float32)
        self._notes: dict[tuple[Voice, int, int], np.ndarray] = {}

    def place(self, voice: Voice, midi: int, start_s: float, length_s: float, gain: float, reverb: bool) -> None:
        start, n = int(round(start_s * self.sr)), max(1, int(round(length_s * self.sr)))
        if start >= self.frames:
            return
        key = (voice, midi, n)
        if key not in self._notes:
            self._notes[key] = voice(midi, n, self.sr, self.brightness).astype(np.float32)
        note = self._notes[key]
        end = min(start + note.shape[1], self.frames)
        bus = self.hall if reverb else self.dry
        bus[:, start:end] += gain * note[:, : end - start]

    def mixdown(self, rng: np.random.Generator) -> np.ndarray:
        """dry + hall + reverb(send * hall), in place in the dry bus."""
        mix = self.dry
        mix += self.hall
        self.hall *= self.SEND
        mix += _reverb(self.hall, self.sr, rng)
        self.hall = self.dry = np.zeros((2, 0), dtype=np.float32)
        return mix


def _reverb(wet: np.ndarray, sr: int, rng: np.random.Generator, seconds: float = 1.8) -> np.ndarray:
    """A plate-like tail: the send convolved with decaying stereo noise, at a quarter rate (the tail is dark)."""
    from scipy import signal  # imported when sound is made: it takes most of a second
    frames = wet.shape[1]
    if frames < 64:
        return np.zeros_like(wet)
    h = signal.firwin(17, 0.25).astype(np.float32)  # anti-alias / anti-image filter for the 4x rate change
    low = signal.upfirdn(h, wet, 1, 4, axis=1)
    low_sr = sr / 4
    m = int(seconds * low_sr)
    t = np.arange(m) / low_sr
    ir = rng.standard_normal((2, m)) * np.exp(-t * 6.9 / seconds)
    ir[:, : int(0.012 * low_sr)] = 0.0  # pre-delay
    ir /= np.sqrt((ir**2).sum(axis=1, keepdims=True))
    tail = signal.oaconvolve(low, ir.astype(np.float32), axes=1)[:, : low.shape[1]]
    return signal.upfirdn(4 * h, tail, 4, 1, axis=1)[:, 16 : 16 + frames].astype(np.float32)


class ProceduralScore(MusicBackend):
    name = "procedural"
    version = SYNTH_VERSION

    def cache_params(self) -> dict[str, Any]:
        return {"sample_rate": self.profile.output.sample_rate, "synthesis": SYNTH_VERSION}

    def sketch(self, cue: MusicCue, seed: int) -> ScoreSketch:
        """Decide key, progression and who plays what, from the cue and the seed alone."""
        mood = mood_of(cue.mood)
        spec = MOODS[mood]
        rng = np.random.default_rng([seed, 1])
        roles: dict[str, list[str]] = {}
        for name in cue.instrumentation or spec.instruments:
            role, _ = instrument_of(name)
            roles.setdefault(role, []).append(name)
        beat = 60.0 / cue.tempo_bpm
        return ScoreSketch(
            mood=mood,
            mode=spec.mode,
            tonic=int(spec.tonics[rng.integers(len(spec.tonics))]),
            progression=spec.progressions[rng.integers(len(spec.progressions))],
            roles={role: tuple(names) for role, names in roles.items()},
            bar_s=4 * beat,
            beat_s=beat,
        )

    def render(self, request: MusicRequest, out: Path) -> None:
        from shotgraph.audio.wav import write_wav

        # 1. Check inputs
        sr, cue = request.sample_rate, request.scene.music
        frames = int(round(request.duration * sr)) if np.isfinite(request.duration) else 0
        if frames < 1:
            raise BackendError("music", self.name,
                               f"scene {request.scene.id}: duration {request.duration} s is not at least one sample")

        # 2. Decide the arrangement
        sketch = self.sketch(cue, request.seed)
        spec = MOODS[sketch.mood]
        log.debug("music %s: %s", request.scene.id, sketch)
        rng = np.random.default_rng([request.seed, 2])
        track = _Track(frames, sr, spec.brightness * (0.7 + 0.6 * cue.intensity))

        # 3. Harmony: one chord per bar, voice-led from a close voicing of the tonic chord
        bars = max(1, int(np.ceil(request.duration / sketch.bar_s)))
        chords = []
        for bar in range(bars):
            root, intervals = CHORDS[sketch.progression[bar % len(sketch.progression)]]
            chords.append((root, tuple((sketch.tonic + root + i) % 12 for i in intervals)))
        base = spec.register - (spec.register - sketch.tonic) % 12
        start = [base + (iv % 12) for iv in CHORDS[sketch.progression[0]][1]]
        voicings = voice_lead([pcs for _, pcs in chords], start)

        # 4. Play each role bar by bar
        voices = {role: [instrument_of(n)[1] for n in names] for role, names in sketch.roles.items()}
        level = 0.5 + 0.5 * cue.intensity
        for bar, ((root, pcs), voicing) in enumerate(zip(chords, voicings)):
            t0 = bar * sketch.bar_s
            bass_note = base - 12 + (root + sketch.tonic - base) % 12
            for voice in voices.get("chords", []):
                for note in voicing:
                    track.place(voice, note, t0, sketch.bar_s, 0.5 * level, reverb=True)
            for voice in voices.get("arpeggio", []):
                self._arpeggio(track, voice, voicing, t0, sketch, spec, cue.intensity, rng)
            for voice in voices.get("bass", []):
                for beat in (0, 2) if cue.intensity > 0.5 else (0,):
                    at = t0 + beat * sketch.beat_s
                    track.place(voice, bass_note, at, 1.9 * sketch.beat_s, 0.7 * level, reverb=False)
            for voice in voices.get("beat", []):
                per_beat = 2 if cue.intensity > 0.6 else 1
                for k in range(4 * per_beat):
                    accent = 1 if k % (2 * per_beat) == 0 else 0
                    gain = (0.8 if k % per_beat == 0 else 0.45) * level
                    track.place(voice, accent, t0 + k * sketch.beat_s / per_beat, 0.2, gain, reverb=False)
        if "drone" in voices:
            track.dry += (level * len(voices["drone"])) * drone(base - 12, frames, sr, spec.brightness)

        # 5. Reverb, level from intensity, peak ceiling; the mix fades the cue where the scene cuts it
        mix = track.mixdown(np.random.default_rng([request.seed, 3]))
        rms = float(np.sqrt(np.mean(mix**2)))
        if rms > 0:
            mix *= 10 ** ((-24.0 + 8.0 * cue.intensity) / 20) / rms
        peak = float(np.abs(mix).max())
        ceiling = 10 ** (PEAK_DBFS / 20) * 0.98
        if peak > ceiling:
            mix *= ceiling / peak
        write_wav(out, np.ascontiguousarray(mix.T, dtype=np.float32), sr)

    @staticmethod
    def _arpeggio(track: _Track, voice: Voice, voicing: list[int], t0: float, sketch: ScoreSketch, spec: MoodSpec,
                  intensity: float, rng: np.random.Generator) -> None:
        """Broken chords: eighths when dense, quarters or sparse half notes when not; an octave-up top for major."""
        density = spec.density * (0.4 + intensity)
        steps = 8 if density > 0.7 else 4 if density > 0.35 else 2
        step = sketch.bar_s / steps
        pattern = voicing + ([voicing[0] + 12] if spec.mode == "major" else []) + voicing[1:][::-1]
        for k in range(steps):
            if density < 0.35 and rng.random() > 0.6 + density:
                continue  # sparse moods leave space
            jitter = float(rng.normal(0, 0.004)) if k else 0.0
            note = pattern[k % len(pattern)] + 12
            velocity = (0.9 if k == 0 else 0.6 + 0.2 * float(rng.random())) * (0.5 + 0.5 * intensity)
            track.place(voice, note, max(0.0, t0 + k * step + jitter), step * 1.5, 0.5 * velocity, reverb=True)
