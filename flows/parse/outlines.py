"""Arms and endpoints written as outlines under an `arms` or `*_outcomes` heading.

Arms: a line `Arm type: Label` (`Experimental: MSCs group`) opens an arm, the lines under
it describe it; `Drug: X` lines name its interventions (prefix dropped). Without typed
lines, each list item is an arm. Endpoints: each list item (or line) is a measure, with its
time frame from `Time frame: ...` / `[Time Frame: ...]` when written there.
"""

from __future__ import annotations

import re

from flows.parse.field_values import VocabReader
from flows.parse.sections import BULLET, Line, Segmentation, clean_value
from flows.parse.timepoints import parse_time_frame
from flows.records import Arm, Endpoint
from flows.vocab import lookup

_KEY_VALUE = re.compile(r"(?P<key>[^:]{1,40}):\s*(?P<value>.+)")
_TIME_FRAME = re.compile(r"\[?\s*time\s*frame\s*:\s*(?P<frame>[^\]]+)\]?\s*$", re.IGNORECASE)
OUTCOME_KINDS = {"primary_outcomes": "primary", "secondary_outcomes": "secondary", "other_outcomes": "other"}


def _unbulleted(line: Line) -> str:
    marker = BULLET.match(line.text) if line.bullet else None
    return line.text[marker.end() :] if marker else line.text


def generic_arms(seg: Segmentation, reader: VocabReader) -> tuple[Arm, ...]:
    arms: list[Arm] = []
    for item in seg.all("arms"):
        arms.extend(_arms_of(seg.value_lines(item), len(arms), reader))
    return tuple(arms)


def _arms_of(lines: list[Line], seq_before: int, reader: VocabReader) -> list[Arm]:
    typed = [_typed_arm(_unbulleted(line)) for line in lines]
    if not any(typed):
        return [Arm(seq_before + i + 1, label, None, None) for i, label in enumerate(_labels(lines))]
    arms: list[Arm] = []
    for line, opening in zip(lines, typed, strict=True):
        if opening is not None:
            arm_type = reader.read("arm_type", opening[0])
            arms.append(Arm(seq_before + len(arms) + 1, opening[1], arm_type, None))
        elif arms:
            arms[-1] = _with_line(arms[-1], _unbulleted(line))
    return arms


def _labels(lines: list[Line]) -> list[str]:
    return [label for line in lines if line.bullet and (label := clean_value(_unbulleted(line)))]


def _typed_arm(text: str) -> tuple[str, str] | None:
    match = _KEY_VALUE.fullmatch(text)
    if match and lookup("arm_type", match.group("key")) is not None:
        return match.group("key").strip(), match.group("value").strip()
    return None


def _with_line(arm: Arm, text: str) -> Arm:
    match = _KEY_VALUE.fullmatch(text)
    if match and lookup("intervention_prefix", match.group("key")) is not None:
        names = (*arm.interventions, match.group("value").strip())
        return Arm(arm.seq, arm.label, arm.arm_type, arm.description, names)
    description = f"{arm.description} {text}" if arm.description else text
    return Arm(arm.seq, arm.label, arm.arm_type, clean_value(description), arm.interventions)


def strip_intervention_prefix(name: str) -> str:
    """`Drug: Mycophenolate Mofetil` -> `Mycophenolate Mofetil`."""
    match = _KEY_VALUE.fullmatch(name.strip())
    if match and lookup("intervention_prefix", match.group("key")) is not None:
        return match.group("value").strip()
    return name.strip()


def generic_endpoints(seg: Segmentation) -> tuple[Endpoint, ...]:
    endpoints: list[Endpoint] = []
    for item in seg.fields:
        kind = OUTCOME_KINDS.get(item.name)
        if kind is None:
            continue
        lines = seg.value_lines(item)
        listed = [line for line in lines if line.bullet] or lines
        seq = sum(1 for e in endpoints if e.kind == kind)
        for line in listed:
            endpoint = endpoint_from_text(kind, seq + 1, _unbulleted(line))
            if endpoint is not None:
                endpoints.append(endpoint)
                seq += 1
    return tuple(endpoints)


def endpoint_from_text(kind: str, seq: int, text: str, time_frame: str | None = None) -> Endpoint | None:
    """A measure with its time frame, read from `[Time Frame: ...]` when not given."""
    frame_match = _TIME_FRAME.search(text)
    if frame_match and time_frame is None:
        time_frame = clean_value(frame_match.group("frame"))
        text = text[: frame_match.start()]
    measure = clean_value(text)
    if measure is None:
        return None
    days = parse_time_frame(time_frame) if time_frame else None
    return Endpoint(kind, seq, measure, time_frame, days)
