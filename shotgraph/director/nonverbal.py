"""Sounds a character makes without words (laughs, sighs, gasps, coughs, screams, sobs ...) as foley cues: from a
line's parentheticals, at the moment they fall in the line, and from action that says so. Both directors add
them, so the foley backend voices them where the screenplay puts them; the dialogue voices only the words."""

from __future__ import annotations

import re

from shotgraph.director.lexicon import word_alternation
from shotgraph.director.plan import FoleyCue
from shotgraph.director.rules.timing import WordsBefore, line_seconds, part_seconds
from shotgraph.director.screenplay.model import Dialogue

# every form a script writes -> the sound, said of the character ("Anna laughs")
FORMS = {
    "laughs": "laugh laughs laughing laughter", "chuckles": "chuckle chuckles chuckling",
    "giggles": "giggle giggles giggling", "sighs": "sigh sighs sighing", "gasps": "gasp gasps gasping",
    "coughs": "cough coughs coughing", "screams": "scream screams screaming", "shrieks": "shriek shrieks shrieking",
    "sobs": "sobs sobbing", "cries": "cries crying weeps weeping", "groans": "groan groans groaning",
    "moans": "moan moans moaning", "whimpers": "whimper whimpers whimpering",
    "sniffles": "sniff sniffs sniffle sniffles sniffling", "sneezes": "sneeze sneezes sneezing",
    "yawns": "yawn yawns yawning", "gulps": "gulp gulps", "pants": "panting", "grunts": "grunt grunts grunting",
    "snores": "snore snores snoring", "hiccups": "hiccup hiccups hiccuping", "wails": "wail wails wailing",
}
SOUND_OF = {form: sound for sound, forms in FORMS.items() for form in forms.split()}
_FORM = re.compile(r"\b(" + word_alternation(SOUND_OF) + r")\b", re.IGNORECASE)


def vocal_sound(text: str) -> str | None:
    """The wordless sound `text` describes ("(laughing)" -> "laughs"), or None."""
    match = _FORM.search(text)
    return SOUND_OF[match.group(1).lower()] if match else None


def line_cues(line: Dialogue, start: float) -> list[FoleyCue]:
    """A cue for each parenthetical of the line that is a wordless sound, at its moment in the line (the line
    starts `start` seconds into the shot; words take their time at the directors' speaking rates)."""
    cues, at = [], start
    for part in line.parts:
        if part.kind == "parenthetical" and (sound := vocal_sound(part.text)):
            cues.append(FoleyCue(what=f"{line.character.title()} {sound}", at=round(at, 2)))
        at += part_seconds(part)
    return cues


def spoken_cues(lines: list[Dialogue]) -> list[FoleyCue]:
    """The wordless sounds of a shot's lines, said one after another from the shot's start."""
    cues, start = [], 0.0
    for line in lines:
        cues += line_cues(line, start)
        start += line_seconds(line)
    return cues


def action_cues(text: str, who: list[str], seconds: float) -> list[FoleyCue]:
    """Wordless sounds the action gives a character ("Mara laughs.", "She gasps."), at their reading position.
    `who` are the names of the characters in the shot; a pronoun is the one in frame, when there is one."""
    cues = []
    words_before = WordsBefore(text)
    for match in _FORM.finditer(text):
        form = match.group(1).lower()
        if not form.endswith("s") or form.endswith("ss"):
            continue  # only a verb said of someone ("laughs"), not "laughter" or "laughing"
        words = text[max(0, match.start() - 80):match.start()].split()  # the subject is just before
        if len(words) > 1 and words[-1].lower().endswith("ly"):
            words = words[:-1]  # "She quietly sighs"
        subject = words[-1].strip(".,;:!?\"'") if words else ""
        name = next((n for n in who if n.upper() == re.sub(r"['’]S$", "", subject.upper())), None)
        if name is None and subject.lower() in {"he", "she", "they"} and len(who) == 1:
            name = who[0]
        if name is None:
            continue
        at = min(seconds * words_before(match.start()) / words_before.total, max(0.0, seconds - 0.5))
        cues.append(FoleyCue(what=f"{name.title()} {SOUND_OF[form]}", at=round(at, 2)))
    return cues


def with_vocal(cues: list[FoleyCue], vocal: list[FoleyCue]) -> list[FoleyCue]:
    """`cues` and the wordless sounds not already among them (the same sound within a second), in time order."""
    def known(cue: FoleyCue) -> bool:
        sound = cue.what.split()[-1]
        return any(sound in c.what.lower() and abs(c.at - cue.at) < 1.0 for c in cues)

    return sorted(cues + [cue for cue in vocal if not known(cue)], key=lambda cue: cue.at)
