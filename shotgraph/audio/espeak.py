"""The draft dialogue backend: espeak-ng, loaded with ctypes from the `espeakng-loader` wheel (no system package).

Every character gets a distinct, stable voice — an espeak variant, pitch, pitch range and rate chosen from the
character's cast slot (from its name: `characters.slots`) and its planned voice — so the same character always
sounds the same, two characters never share one setting, and adding a character does not recast the others.
Parentheticals change the delivery (`DELIVERIES`); extensions change the perspective (`PERSPECTIVES`): O.S./O.C.
is heard through a wall (low-passed, quieter), V.O. is dry and close (a little brighter and louder). The words
spoken are exactly the screenplay's: text goes to espeak as UTF-8 with neither the SSML nor the phoneme flag, so
`<`, `&` and `[[` are read as text, never as markup.

espeak-ng keeps its state in globals and is not thread-safe: every call holds `_ESPEAK_LOCK`.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from shotgraph.audio.dialogue import DialogueBackend, DialogueRequest
from shotgraph.audio.speech import line_language
from shotgraph.audio.wav import resample, write_wav
from shotgraph.director.plan import Voice
from shotgraph.director.screenplay.model import Dialogue
from shotgraph.errors import BackendError

log = logging.getLogger(__name__)

# Bump when any table below changes what a character sounds like: it is part of every dialogue cache key.
VOICE_TABLE_VERSION = "2"

# speak_lib.h (espeak-ng API revision 12)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1  # and deliberately not espeakSSML (0x10) nor espeakPHONEMES (0x100)
_RATE, _VOLUME, _PITCH, _RANGE, _WORDGAP = 1, 2, 3, 4, 7
_EE_OK = 0
_NOISE_SEED = 1

# -- voices ----------------------------------------------------------------------------------------------------------

# espeak variants per gender by cast slot: slot n takes the n-th variant. Each neutral variant is the male or the
# female one of its slot, so characters in different slots never share a variant, whatever their genders.
VARIANTS: dict[str, tuple[str, ...]] = {
    "female": ("f3", "f1", "f4", "f2", "f5", "Annie", "linda", "belinda"),
    "male": ("m3", "m1", "m7", "m2", "m4", "m6", "m5", "m8"),
    "neutral": ("m3", "f1", "m7", "f2", "m4", "Annie", "m5", "belinda"),
}
# whispering replaces the character's variant (espeak cannot stack two variants)
WHISPER_VARIANT = {"female": "whisperf", "male": "whisper", "neutral": "whisper"}

# espeak pitch (0-100, 50 = the variant's normal) and rate (words per minute) by age
AGE_PITCH = {"child": 78, "young": 58, "adult": 46, "elderly": 38}
AGE_RATE = {"child": 180, "young": 178, "adult": 168, "elderly": 148}

# pitch range (0 = monotone, 50 = normal) by the first timbre word that matches
TIMBRE_RANGE = {"monotone": 15, "flat": 20, "gravelly": 28, "deep": 32, "husky": 32, "calm": 35, "warm": 42,
                "soft": 40, "bright": 68, "lively": 72, "expressive": 75, "shrill": 80}

# espeak language voice by accent keyword; default General American
ACCENTS = {"scottish": "en-gb-scotland", "british": "en-gb-x-rp", "english": "en-gb-x-rp", "rp": "en-gb-x-rp",
           "lancaster": "en-gb-x-gbclan", "midlands": "en-gb-x-gbcwmd", "caribbean": "en-029",
           "jamaican": "en-029", "new york": "en-us-nyc", "american": "en-us"}
DEFAULT_LANGUAGE = "en-us"
# espeak-ng's voice for a line in another language (ISO 639-1, as speech.line_language tells it); the character's
# variant, pitch and rate go with it, so the character keeps its timbre in every language
LANGUAGE_VOICES = {"fr": "fr", "de": "de", "es": "es", "it": "it", "pt": "pt", "nl": "nl", "el": "el", "ru": "ru",
                   "ar": "ar", "he": "he", "ja": "ja", "ko": "ko", "zh": "cmn", "hi": "hi"}


@dataclass(frozen=True)
class VoiceSetting:
    """One character's espeak settings."""

    language: str
    variant: str
    pitch: int
    pitch_range: int
    rate: int

    @property
    def name(self) -> str:
        return f"{self.language}+{self.variant}"


def choose_voice(voice: Voice, voice_index: int) -> VoiceSetting:
    """A stable setting from the planned voice and the character's cast slot (`voice_index`).

    Slots past the variant list reuse a variant at a different pitch, so no two slots collide.
    """
    gender = voice.gender.lower() if voice.gender.lower() in VARIANTS else "neutral"
    variants = VARIANTS[gender]
    cycle, slot = divmod(voice_index, len(variants))
    age = voice.age.lower()
    pitch = AGE_PITCH.get(age, AGE_PITCH["adult"]) + (0, 10, -10, 18, -16)[cycle % 5]
    timbre_words = re.findall(r"[a-z]+", voice.timbre.lower())
    pitch_range = next((TIMBRE_RANGE[w] for w in timbre_words if w in TIMBRE_RANGE), 50)
    accent = voice.accent.lower()
    language = next((lang for key, lang in ACCENTS.items() if re.search(rf"\b{key}\b", accent)), DEFAULT_LANGUAGE)
    return VoiceSetting(language, variants[slot], int(np.clip(pitch, 5, 95)), pitch_range,
                        AGE_RATE.get(age, AGE_RATE["adult"]))


# -- delivery (parentheticals) --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    level_db: float = 0.0  # peak level relative to normal speech
    rate_scale: float = 1.0
    pitch_shift: int = 0  # espeak pitch units
    volume: int = 100  # espeak amplitude: louder also strains the voice
    whisper: bool = False


DELIVERIES: dict[str, Delivery] = {
    "neutral": Delivery(),
    "hushed": Delivery(level_db=-12.0, rate_scale=0.9, pitch_shift=-4, volume=80, whisper=True),
    "quiet": Delivery(level_db=-8.0, rate_scale=0.92, pitch_shift=-4, volume=85),
    "raised": Delivery(level_db=5.0, rate_scale=1.12, pitch_shift=14, volume=160),
}

# parenthetical word stem -> delivery; a parenthetical takes the first stem any of its words starts with
DELIVERY_WORDS: dict[str, str] = {
    "whisper": "hushed", "hush": "hushed", "breath": "hushed", "murmur": "hushed",
    "quiet": "quiet", "soft": "quiet", "gentl": "quiet", "sotto": "quiet", "low": "quiet",
    "shout": "raised", "yell": "raised", "scream": "raised", "angri": "raised", "angry": "raised",
    "furious": "raised", "bellow": "raised", "loud": "raised", "roar": "raised",
}


def delivery_for(parenthetical: str) -> str:
    """The DELIVERIES name for one parenthetical such as '(whispering)'; 'neutral' when none matches."""
    for word in re.findall(r"[a-z]+", parenthetical.lower()):
        for stem, name in DELIVERY_WORDS.items():
            if word.startswith(stem):
                return name
    return "neutral"


# -- perspective (extensions) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Perspective:
    level_db: float = 0.0
    lowpass_hz: float | None = None  # 4th-order Butterworth: the wall between us and the speaker
    shelf_db: float = 0.0  # high shelf at shelf_hz: presence of a close, dry microphone
    shelf_hz: float = 3000.0


PERSPECTIVES: dict[str, Perspective] = {
    "on-screen": Perspective(),
    "off-screen": Perspective(level_db=-6.0, lowpass_hz=1100.0),  # O.S. / O.C.: in the next room
    "voice-over": Perspective(level_db=1.5, shelf_db=3.0),  # V.O.: narrator in the booth, dry and close
}


def perspective_for(line: Dialogue) -> str:
    extensions = {e.upper() for e in line.extensions}
    if extensions & {"O.S.", "O.C."}:
        return "off-screen"
    if "V.O." in extensions:
        return "voice-over"
    return "on-screen"


# -- espeak through ctypes ------------------------------------------------------------------------------------------

_ESPEAK_LOCK = threading.Lock()
_CALLBACK_TYPE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Espeak:
    """libespeak-ng for one recording: loaded, initialised, used and unloaded again, all under _ESPEAK_LOCK.

    espeak-ng keeps synthesis state in C statics that no API call resets (the pitch-flutter index of wavegen.c
    runs on from one message to the next), so the same line would come out slightly different each time.
    Unloading the library (dlclose) and loading it again costs about 3 ms and makes every recording start from
    the same state; with a fixed noise seed the same request gives the same samples.
    """

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise BackendError("dialogue", "espeak",
                               "needs the 'espeakng-loader' package: pip install espeakng-loader") from exc
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK_TYPE]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.argtypes = []
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_Terminate.argtypes = []
        lib.espeak_Terminate.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = ctypes.c_int
        self.lib = lib
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK_TYPE(self._collect)  # kept referenced: espeak holds the raw pointer
        # buflength 0 = espeak's default 60 ms callback buffers
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if rate <= 0:
            self._unload()
            raise BackendError("dialogue", "espeak",
                               f"espeak_Initialize failed with data at {espeakng_loader.get_data_path()}")
        self.sample_rate = rate
        lib.espeak_SetSynthCallback(self._callback)

    def _unload(self) -> None:
        import _ctypes

        _ctypes.dlclose(self.lib._handle)

    def close(self) -> None:
        self.lib.espeak_Terminate()
        self._unload()

    def __enter__(self) -> _Espeak:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def _check(self, what: str, code: int) -> None:
        if code != _EE_OK:
            raise BackendError("dialogue", "espeak", f"{what} failed with espeak error {code}")

    def synth(self, text: str, voice_name: str, *, rate: int, pitch: int, pitch_range: int, volume: int) -> np.ndarray:
        """int16 samples at self.sample_rate. Every parameter is set on every call: no state leaks between lines."""
        self._check(f"espeak_SetVoiceByName({voice_name!r})", self.lib.espeak_SetVoiceByName(voice_name.encode()))
        for parameter, value in ((_RATE, rate), (_PITCH, pitch), (_RANGE, pitch_range), (_VOLUME, volume),
                                 (_WORDGAP, 0)):
            self._check(f"espeak_SetParameter({parameter}, {value})", self.lib.espeak_SetParameter(parameter, value, 0))
        data = text.encode("utf-8") + b"\0"
        self._chunks = []
        # breath and fricative noise come from espeak's own generator: a fixed seed makes a line repeatable
        self._check("espeak_ng_SetRandSeed", self.lib.espeak_ng_SetRandSeed(_NOISE_SEED))
        status = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self._check("espeak_Synth", status)
        self._check("espeak_Synchronize", self.lib.espeak_Synchronize())
        chunks, self._chunks = self._chunks, []
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


# -- the backend --------------------------------------------------------------------------------------------------

NORMAL_PEAK_DB = -9.0  # peak of normal speech; the loudest delivery and perspective stay below -2 dBFS
PART_GAP_S = 0.18  # pause between speech parts split by a parenthetical
KEEP_SILENCE_S = 0.02  # kept at each end after trimming
TRIM_BELOW_DB = -40.0  # relative to the line's peak
BEAT_S = 0.5  # a line with nothing to pronounce ("...") is a beat of silence


def _speech_segments(line: Dialogue) -> list[tuple[str, str]]:
    """(delivery, text) per speech part, each delivered as the parenthetical before it says.

    Falls back to the whole `line.text` in the first parenthetical's delivery when the parts do not join to it,
    so the words spoken are always exactly `line.text`.
    """
    segments: list[tuple[str, str]] = []
    delivery = "neutral"
    for part in line.parts:
        if part.kind == "parenthetical":
            delivery = delivery_for(part.text)
        elif part.text.strip():
            segments.append((delivery, part.text))
    if "\n".join(text for _, text in segments) != line.text.strip("\n") or not segments:
        first = next(iter(line.parentheticals), "")
        return [(delivery_for(first), line.text)]
    return segments


def _db(value: float) -> float:
    return float(10.0 ** (value / 20.0))


def _high_shelf(gain_db: float, freq: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """RBJ cookbook high shelf, slope 1."""
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * freq / rate
    alpha = np.sin(w0) / 2.0 * np.sqrt(2.0)
    cos, root = np.cos(w0), 2.0 * np.sqrt(a) * alpha
    b = np.array([a * ((a + 1) + (a - 1) * cos + root), -2 * a * ((a - 1) + (a + 1) * cos),
                  a * ((a + 1) + (a - 1) * cos - root)])
    den = np.array([(a + 1) - (a - 1) * cos + root, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - root])
    return b / den[0], den / den[0]


def _apply_perspective(samples: np.ndarray, perspective: Perspective, rate: int) -> np.ndarray:
    from scipy.signal import butter, lfilter, sosfilt

    if perspective.lowpass_hz is not None:
        samples = sosfilt(butter(4, perspective.lowpass_hz, btype="lowpass", fs=rate, output="sos"), samples)
    if perspective.shelf_db:
        samples = lfilter(*_high_shelf(perspective.shelf_db, perspective.shelf_hz, rate), samples)
    return samples


def _trim(samples: np.ndarray, rate: int) -> np.ndarray:
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) > peak * _db(TRIM_BELOW_DB))
    keep = int(KEEP_SILENCE_S * rate)
    return samples[max(0, loud[0] - keep): loud[-1] + 1 + keep]


class EspeakDialogue(DialogueBackend):
    """espeak-ng voices on CPU: no weights, no network, deterministic."""

    name = "espeak"
    version = "1"

    def cache_params(self) -> dict[str, Any]:
        try:
            loader = version("espeakng-loader")
        except PackageNotFoundError:
            loader = "unknown"
        return {"sample_rate": self.profile.output.sample_rate, "voice_table": VOICE_TABLE_VERSION,
                "espeakng_loader": loader}

    def voice(self, request: DialogueRequest) -> VoiceSetting:
        return choose_voice(request.character.voice, request.voice_index)

    def render(self, request: DialogueRequest, out: Path) -> None:
        # 1. Check inputs
        line = request.line
        if not line.text.strip():  # a cue with only a parenthetical, e.g. "(nods)": a silent beat
            log.info("dialogue %s (%s, line %d) has no words; recording a %.1f s beat", line.id, line.character,
                     line.line, BEAT_S)
            write_wav(out, np.zeros(int(BEAT_S * request.sample_rate), dtype=np.float32), request.sample_rate)
            return
        if request.sample_rate <= 0:
            raise BackendError("dialogue", self.name, f"sample_rate must be positive, got {request.sample_rate}")
        setting = self.voice(request)
        language = LANGUAGE_VOICES.get(line_language(line.text, request.language), setting.language)
        gender = request.character.voice.gender.lower()

        # 2. Synthesise each speech part in its delivery, normalised to its delivery's peak level
        with _ESPEAK_LOCK, _Espeak() as engine:
            rate = engine.sample_rate
            pieces: list[np.ndarray] = []
            for name, text in _speech_segments(line):
                delivery = DELIVERIES[name]
                variant = WHISPER_VARIANT.get(gender, "whisper") if delivery.whisper else setting.variant
                raw = engine.synth(text, f"{language}+{variant}",
                                   rate=int(np.clip(round(setting.rate * delivery.rate_scale), 80, 450)),
                                   pitch=int(np.clip(setting.pitch + delivery.pitch_shift, 0, 100)),
                                   pitch_range=setting.pitch_range, volume=delivery.volume)
                piece = _trim(raw.astype(np.float64) / 32768.0, rate)
                if piece.size:
                    piece *= _db(NORMAL_PEAK_DB + delivery.level_db) / np.max(np.abs(piece))
                    pieces.append(piece)
        if not pieces:
            log.info("dialogue %s: %r has nothing to pronounce; recording a %.1f s beat", line.id, line.text, BEAT_S)
            write_wav(out, np.zeros(int(BEAT_S * request.sample_rate), dtype=np.float32), request.sample_rate)
            return
        gap = np.zeros(int(PART_GAP_S * rate))
        speech = np.concatenate([x for piece in pieces for x in (gap, piece)][1:])

        # 3. Place it: through a wall, in the booth or in the room
        # the filters move the peak: bring the loudest part back to its delivery's peak, plus the perspective's level
        perspective = PERSPECTIVES[perspective_for(line)]
        loudest = max(np.max(np.abs(piece)) for piece in pieces)
        speech = _apply_perspective(speech, perspective, rate)
        speech *= loudest * _db(perspective.level_db) / np.max(np.abs(speech))
        speech = _trim(speech, rate)

        # 4. Resample and write; the loudest delivery and perspective peak at -2.5 dBFS, so this never clips
        samples = resample(speech, rate, request.sample_rate)
        peak = float(np.max(np.abs(samples)))
        if peak > 1.0:
            raise BackendError("dialogue", self.name, f"dialogue {line.id}: peak {peak:.2f} would clip")
        write_wav(out, samples.astype(np.float32), request.sample_rate)
