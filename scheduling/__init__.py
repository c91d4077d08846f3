"""The agenda scheduler for matchmaking events (对接会): a library with no web or database
import. ``parse_problem`` reads the JSON input, ``solve`` places meetings into slots and
tables with OR-Tools CP-SAT (``greedy`` is the baseline), ``check`` validates any schedule
and ``to_json`` writes the output object; ``generate`` does all of it for the CLI.
"""

from scheduling.agenda import (
    DEFAULT_TIME_LIMIT_S,
    Meeting,
    Participant,
    Placement,
    Problem,
    ProblemError,
    Schedule,
    check,
    generate,
    greedy,
    parse_problem,
    parse_schedule,
    solve,
    to_json,
)

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "Meeting",
    "Participant",
    "Placement",
    "Problem",
    "ProblemError",
    "Schedule",
    "check",
    "generate",
    "greedy",
    "parse_problem",
    "parse_schedule",
    "solve",
    "to_json",
]
