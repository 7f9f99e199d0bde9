"""Neural voices: the line's language, sentence pieces, a stable voice per character, XTTS's clear refusal here,
and pocket-tts cloning on a tiny random-weight model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tiny_models
from shotgraph.audio.dialogue import DialogueRequest
from shotgraph.audio.pocket import VOICES, PocketDialogue
from shotgraph.audio.speech import builtin_speaker, line_language, sentences, trimmed
from shotgraph.audio.wav import read_wav, write_wav
from shotgraph.audio.xtts import SPEAKERS, XttsDialogue, speed_of, xtts_language
from shotgraph.config import Profile, StageChoice
from shotgraph.director.plan import CharacterPlan, Voice
from shotgraph.director.screenplay.model import Dialogue, DialoguePart
from shotgraph.errors import BackendError

RATE = 48000
ANNA = CharacterPlan(id="anna", name="ANNA", look="", voice=Voice(gender="female", age="adult"))
BEN = CharacterPlan(id="ben", name="BEN", look="", voice=Voice(gender="male", age="adult"))


def line(text: str, character: str = "ANNA", parenthetical: str | None = None, ident: str = "sc001-e002") -> Dialogue:
    parts = ([DialoguePart(kind="parenthetical", text=parenthetical, line=2)] if parenthetical else [])
    parts.append(DialoguePart(kind="speech", text=text, line=3))
    return Dialogue(id=ident, line=1, cue=character, character=character, text=text, parts=parts)


@pytest.mark.parametrize(("text", "language"), [
    ("Is it raining out there?", "en"), ("Καλησπέρα. Ένα ελληνικό καφέ, παρακαλώ.", "el"),
    ("Je ne sais pas, mon ami.", "fr"), ("Ich weiß es nicht, und du?", "de"), ("こんにちは、元気ですか", "ja"),
    ("你好吗", "zh"), ("Привет!", "ru"), ("¿Qué es esto? No lo sé.", "es"), ("Hmm.", "en")])
def test_each_line_is_said_in_its_own_language(text: str, language: str) -> None:
    assert line_language(text) == language


def test_long_lines_split_at_sentences_then_commas_and_xtts_names_its_languages() -> None:
    assert sentences("One. Two is longer, much longer than you think! Three?", 20) == [
        "One.", "Two is longer,", "much longer than", "you think!", "Three?"]
    assert xtts_language("你好吗", "en") == "zh-cn" and xtts_language("Καλησπέρα", "en") == "en"  # no Greek voice
    assert speed_of(["(quickly)"]) == 1.0 and speed_of(["(whispering)"]) < 1.0 and speed_of(["(shouting)"]) > 1.0


def test_a_characters_builtin_voice_depends_on_the_character_alone() -> None:
    first = {c.name: builtin_speaker(c.voice, c.name, SPEAKERS) for c in (ANNA, BEN)}
    extra = CharacterPlan(id="zoe", name="ZOE", look="", voice=Voice(gender="female", age="young"))
    again = {c.name: builtin_speaker(c.voice, c.name, SPEAKERS) for c in (extra, ANNA, BEN)}
    assert first["ANNA"] == again["ANNA"] and first["BEN"] == again["BEN"]  # adding ZOE changes no one
    assert first["ANNA"] in SPEAKERS["female"] and first["BEN"] in SPEAKERS["male"]
    assert builtin_speaker(ANNA.voice, "ANNA", VOICES) in VOICES["female"]


def test_speech_is_trimmed_of_silence_without_a_click() -> None:
    audio = np.concatenate([np.zeros(4800), np.full(9600, 0.5), np.zeros(4800)]).astype(np.float32)
    out = trimmed(audio, RATE)
    assert len(out) == 9600 and out[0] == 0 and out[-1] == 0 and out[len(out) // 2] == 0.5


def test_xtts_says_plainly_why_it_cannot_run_here_and_what_to_use() -> None:
    profile = Profile().model_copy(update={"stages": Profile().stages.model_copy(
        update={"dialogue": StageChoice(backend="xtts", model="/nonexistent")})})
    with pytest.raises(BackendError, match=r"coqui-tts cannot be imported here .* use dialogue = \"pocket-tts\""):
        XttsDialogue(profile).model()


@pytest.fixture(scope="module")
def pocket(tmp_path_factory) -> Path:
    return tiny_models.pocket_tts(tmp_path_factory.mktemp("pocket"))


def test_pocket_tts_clones_each_character_once_and_speaks_mono_at_the_films_rate(pocket: Path,
                                                                                 tmp_path: Path) -> None:
    profile = Profile().model_copy(update={"stages": Profile().stages.model_copy(
        update={"dialogue": StageChoice(backend="pocket-tts", model=str(pocket))})})
    backend = PocketDialogue(profile)
    sample = tmp_path / "anna.wav"
    write_wav(sample, (np.random.default_rng(0).standard_normal(RATE * 2) * 0.1).astype(np.float32), RATE)
    for i, (character, voice) in enumerate(((ANNA, sample), (BEN, None), (ANNA, sample))):
        request = DialogueRequest(line("Is it raining out there? Cats and dogs.", character.name, ident=f"l{i}"),
                                  character, i, RATE, voice)
        if voice is None:  # built-in voices belong to pocket-tts's own language models
            with pytest.raises(BackendError, match="BEN has no voice sample, and pocket-tts's built-in voices need"):
                backend.render(request, tmp_path / f"{i}.wav")
            continue
        backend.render(request, tmp_path / f"{i}.wav")
        audio, rate = read_wav(tmp_path / f"{i}.wav")
        assert rate == RATE and audio.ndim == 1 and len(audio) > 0
        assert abs(audio[0]) < 1e-3 and abs(audio[-1]) < 1e-3  # trimmed and faded: no click at either end
    assert len(backend._voices) == 1  # ANNA cloned once, reused for her second line
    assert backend.models.loads == {"pocket-tts tiny.yaml": 1}
    assert backend.key_fields()["model"].startswith("pocket:")
