"""What the neural voices share: the language of a line, lines split at sentence ends, delivery speed from the
parentheticals, a stable built-in speaker per character, and pieces of speech trimmed and joined cleanly."""

from __future__ import annotations

import re
import zlib

import numpy as np

from shotgraph.director.plan import Voice

# Scripts that name their language outright; Latin text is told apart by its commonest words.
SCRIPTS = [("el", re.compile(r"[\u0370-\u03ff]")), ("ru", re.compile(r"[\u0400-\u04ff]")),
           ("ar", re.compile(r"[\u0600-\u06ff]")), ("he", re.compile(r"[\u0590-\u05ff]")),
           ("ja", re.compile(r"[\u3040-\u30ff]")), ("ko", re.compile(r"[\uac00-\ud7af]")),
           ("zh", re.compile(r"[\u4e00-\u9fff]")), ("hi", re.compile(r"[\u0900-\u097f]"))]
LATIN_WORDS = {
    "en": "the and you i to is it a that of not what in my me we this no yes",
    "fr": "le la les et je tu vous est pas que une un des du ne oui non c'est il elle",
    "de": "der die das und ich du nicht ist ein eine sie es wir ja nein zu mit",
    "es": "el la los las y yo tú que no es un una por qué sí con de lo",
    "it": "il la e non che io tu è un una di per sì ma mi ti",
    "pt": "o a os as e eu você não que é um uma de do da sim com",
    "nl": "de het en ik je niet is een dat wat ja nee we van",
}
_LATIN = {lang: set(words.split()) for lang, words in LATIN_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
EDGE_FADE_S = 0.005
SENTENCE_PAUSE_S = 0.12
SILENCE_DBFS = -50.0


LATIN_MARGIN = 2  # common words another Latin language needs over the default's: "Die!" is not German


def line_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of the line: from its script, else from its commonest words, else `default`."""
    for language, script in SCRIPTS:  # kana before han: kanji beside kana is Japanese
        if script.search(text):
            return language
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {lang: sum(w in common for w in words) for lang, common in _LATIN.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == default))
    return best if scores[best] >= scores.get(default, 0) + LATIN_MARGIN else default


def sentences(text: str, longest: int) -> list[str]:
    """The line in pieces a model can say in one go: whole sentences, at most `longest` characters (a longer
    sentence is split at its last comma or space before the limit)."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        while len(sentence) > longest:
            cut = sentence.rfind(", ", 0, longest)  # a comma if there is one, else the last space
            cut = cut if cut > 0 else sentence.rfind(" ", 0, longest)
            cut = cut if cut > 0 else longest
            pieces.append(sentence[:cut + 1].strip())
            sentence = sentence[cut + 1:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def builtin_speaker(voice: Voice, name: str, speakers: dict[str, list[str]]) -> str:
    """A built-in speaker for a character without a sample: from the planned gender, then by a hash of the
    name, so adding a character never changes another's voice."""
    pool = speakers.get(voice.gender.lower()) or [s for group in speakers.values() for s in group]
    return pool[zlib.crc32(name.upper().encode("utf-8")) % len(pool)]


def trimmed(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mono speech without leading or trailing silence, its edges faded over a few ms (no click)."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    loud = np.flatnonzero(np.abs(audio) > 10 ** (SILENCE_DBFS / 20) * max(float(np.abs(audio).max()), 1e-9))
    if loud.size == 0:
        return audio[:0]
    audio = audio[loud[0]: loud[-1] + 1].copy()
    fade = min(len(audio) // 2, int(EDGE_FADE_S * rate))
    if fade:
        ramp = np.linspace(0, 1, fade, dtype=np.float32)
        audio[:fade] *= ramp
        audio[-fade:] *= ramp[::-1]
    return audio


def spoken(pieces: list[np.ndarray], rate: int) -> np.ndarray:
    """Trimmed pieces of one line with a breath between sentences."""
    parts = [p for p in (trimmed(p, rate) for p in pieces) if p.size]
    if not parts:
        return np.zeros(0, np.float32)
    gap = np.zeros(int(SENTENCE_PAUSE_S * rate), np.float32)
    joined = [parts[0]]
    for part in parts[1:]:
        joined += [gap, part]
    return np.concatenate(joined)
