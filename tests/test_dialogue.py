"""audio/espeak.py: real espeak-ng voices, measured — length, pitch, level, brightness, determinism, verbatim text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shotgraph.audio.dialogue import DIALOGUE_BACKENDS, DialogueRequest
from shotgraph.audio.espeak import DELIVERIES, EspeakDialogue, _speech_segments, choose_voice, delivery_for
from shotgraph.audio.wav import read_wav, wav_info
from shotgraph.backend import load_backend
from shotgraph.config import Profile
from shotgraph.director.plan import CharacterPlan, Voice
from shotgraph.director.screenplay.model import Dialogue, DialoguePart

RATE = 24000

ANNA = CharacterPlan(id="anna", name="ANNA", look="-", voice=Voice(gender="female", age="adult", timbre="warm"))
BEN = CharacterPlan(id="ben", name="BEN", look="-", voice=Voice(gender="male", age="elderly", timbre="gravelly"))


def _line(text: str, parenthetical: str | None = None, extensions: list[str] | None = None) -> Dialogue:
    parts = [DialoguePart(kind="parenthetical", text=parenthetical, line=2)] if parenthetical else []
    parts.append(DialoguePart(kind="speech", text=text, line=3))
    return Dialogue(id="sc001-e002", line=1, text=text, cue="ANNA", character="ANNA", parts=parts,
                    extensions=extensions or [])


@pytest.fixture(scope="module")
def backend() -> EspeakDialogue:
    return load_backend("dialogue", "espeak", DIALOGUE_BACKENDS, Profile())


def _say(backend: EspeakDialogue, tmp_path: Path, line: Dialogue, character: CharacterPlan = ANNA,
         index: int = 0, name: str = "line.wav") -> np.ndarray:
    out = tmp_path / name
    backend.render(DialogueRequest(line, character, index, RATE), out)
    samples, rate = read_wav(out)
    assert rate == RATE and samples.ndim == 1 and samples.dtype == np.float32
    assert wav_info(out) == (len(samples), 1, RATE)
    return samples


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2)))


def _median_f0(x: np.ndarray, rate: int) -> float:
    """Median autocorrelation pitch of the voiced 40 ms frames."""
    size, lo, hi = int(0.04 * rate), rate // 400, rate // 60
    f0s = []
    for start in range(0, len(x) - size, size // 2):
        frame = x[start:start + size] - np.mean(x[start:start + size])
        if np.sqrt(np.mean(frame ** 2)) < 0.02:
            continue
        ac = np.correlate(frame, frame, "full")[size - 1:]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            f0s.append(rate / lag)
    assert f0s, "no voiced frames"
    return float(np.median(f0s))


def _high_share(x: np.ndarray, rate: int, above: float = 2000.0) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spectrum[freqs > above].sum() / spectrum.sum())


def test_speech_is_audible_trimmed_and_grows_with_the_words(backend, tmp_path):
    short = _say(backend, tmp_path, _line("Hello."), name="short.wav")
    long = _say(backend, tmp_path, _line("Hello. I have been waiting for you here since the morning, all day long."),
                name="long.wav")
    assert _rms_db(short) > -40 and np.max(np.abs(long)) <= 1.0
    assert len(long) > 2.5 * len(short)
    edge = int(0.005 * RATE)  # trimmed: about 20 ms of quiet kept at each end, not more
    assert np.max(np.abs(short[:edge])) < 0.01 and np.max(np.abs(short[: int(0.08 * RATE)])) > 0.01


def test_characters_get_different_stable_voices(backend, tmp_path):
    line = _line("We should leave before the rain comes down.")
    anna = _say(backend, tmp_path, line, ANNA, 0, "anna.wav")
    again = _say(backend, tmp_path, line, ANNA, 0, "again.wav")
    ben = _say(backend, tmp_path, line, BEN, 1, "ben.wav")
    assert np.array_equal(anna, again)
    assert _median_f0(anna, RATE) > 1.3 * _median_f0(ben, RATE)
    # the same planned voice at another cast position is still a different setting
    assert choose_voice(ANNA.voice, 0) != choose_voice(ANNA.voice, 1)
    assert len({choose_voice(ANNA.voice, i) for i in range(40)}) == 40


def test_whispering_is_quieter_than_shouting(backend, tmp_path):
    whisper = _say(backend, tmp_path, _line("Get out of the house.", "(whispering)"), name="w.wav")
    shout = _say(backend, tmp_path, _line("Get out of the house.", "(shouting)"), name="s.wav")
    neutral = _say(backend, tmp_path, _line("Get out of the house.", "(beat)"), name="n.wav")
    assert _rms_db(whisper) + 10 < _rms_db(neutral) < _rms_db(shout)
    assert np.max(np.abs(shout)) < 1.0
    assert delivery_for("(Yelling, to Ben)") == "raised" and delivery_for("(quietly)") == "quiet"
    assert delivery_for("(into the phone)") == "neutral" and set(DELIVERIES) >= {"neutral", "hushed", "raised"}


def test_off_screen_is_muffled_and_voice_over_is_brighter(backend, tmp_path):
    text = "Is anybody in there? Open the door."
    on = _say(backend, tmp_path, _line(text), name="on.wav")
    off = _say(backend, tmp_path, _line(text, extensions=["O.S."]), name="os.wav")
    vo = _say(backend, tmp_path, _line(text, extensions=["V.O."]), name="vo.wav")
    assert _high_share(off, RATE) < 0.2 * _high_share(on, RATE)
    assert _rms_db(off) < _rms_db(on)
    assert _high_share(vo, RATE) > _high_share(on, RATE)


def test_markup_characters_are_spoken_as_text(backend, tmp_path):
    plain = _say(backend, tmp_path, _line("Tom and Jerry."), name="plain.wav")
    marked = _say(backend, tmp_path, _line('Tom & Jerry <break time="5s"/> [[h@l\'oU]].'), name="marked.wav")
    # an SSML <break> would add five seconds of silence; read as text, it is a few more words
    assert len(plain) / RATE < len(marked) / RATE < 5.0
    quiet = np.abs(marked) < 0.005
    longest_gap = max((len(run) for run in "".join("q" if q else "x" for q in quiet).split("x")), default=0)
    assert longest_gap < RATE


def test_words_come_from_the_line_text_only():
    line = Dialogue(id="sc001-e003", line=1, text="Go.\nNow!", cue="ANNA", character="ANNA", parts=[
        DialoguePart(kind="parenthetical", text="(softly)", line=2),
        DialoguePart(kind="speech", text="Go.", line=3),
        DialoguePart(kind="parenthetical", text="(shouting)", line=4),
        DialoguePart(kind="speech", text="Now!", line=5)])
    assert _speech_segments(line) == [("quiet", "Go."), ("raised", "Now!")]
    bare = Dialogue(id="sc001-e004", line=1, text="Just this.", cue="ANNA", character="ANNA")
    assert _speech_segments(bare) == [("neutral", "Just this.")]


def test_a_block_with_no_words_is_a_silent_beat_and_cache_params_name_the_rate(backend, tmp_path):
    backend.render(DialogueRequest(_line(" "), ANNA, 0, RATE), tmp_path / "x.wav")  # e.g. only "(nods)"
    samples, rate = read_wav(tmp_path / "x.wav")
    assert rate == RATE and len(samples) == int(0.5 * RATE) and not samples.any()
    params = backend.cache_params()
    assert params["sample_rate"] == 48000 and "voice_table" in params


LINES_ABROAD = {"el": "Καλησπέρα. Ένα ελληνικό καφέ, παρακαλώ.",
                "fr": "Bonsoir. Un café, s'il vous plaît, et je vous attends ici.",
                "ja": "こんばんは。コーヒーをお願いします。"}


@pytest.mark.parametrize("language", sorted(LINES_ABROAD))
def test_a_line_in_another_language_is_said_by_that_languages_voice(backend, tmp_path, language):
    from shotgraph.audio.espeak import _ESPEAK_LOCK, LANGUAGE_VOICES, _Espeak

    text = LINES_ABROAD[language]
    said = len(_say(backend, tmp_path, _line(text))) / RATE
    with _ESPEAK_LOCK, _Espeak() as engine:  # espeak-ng's own reading, in that language and in English
        native = len(engine.synth(text, LANGUAGE_VOICES[language], rate=168, pitch=50, pitch_range=50,
                                  volume=100)) / engine.sample_rate
        spelled = len(engine.synth(text, "en-us", rate=168, pitch=50, pitch_range=50,
                                   volume=100)) / engine.sample_rate
    assert 0.5 * native <= said <= 1.5 * native, (said, native)
    if language != "fr":  # in English, Greek and Japanese are spelled out letter by letter: over twice as long
        assert spelled > 2 * native


def test_a_character_keeps_its_timbre_in_another_language(backend, tmp_path):
    ben_en = _median_f0(_say(backend, tmp_path, _line("Good evening. A coffee, please."), BEN, 1, "1.wav"), RATE)
    ben_el = _median_f0(_say(backend, tmp_path, _line(LINES_ABROAD["el"]), BEN, 1, "2.wav"), RATE)
    anna_el = _median_f0(_say(backend, tmp_path, _line(LINES_ABROAD["el"]), ANNA, 0, "3.wav"), RATE)
    assert abs(ben_el - ben_en) / ben_en < 0.2
    assert anna_el > 1.3 * ben_el
