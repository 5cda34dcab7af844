"""The format language: YAML text -> a validated `Format`, with errors at file:line:column.

A format is a reusable description of a session (see docs in README and `facilitation schema`).
Parsing is pure (`parse_format(text, name)`); reading files is for `facilitation.readers`.

Validation is done by pydantic models (which also give the JSON Schema for editors); the YAML
node tree is kept so that every error can point at the line and column of the offending key.
"""

from facilitation.core.formats.errors import FormatError, Problem
from facilitation.core.formats.json_schema import format_json_schema
from facilitation.core.formats.model import SEMVER, SLUG, Model
from facilitation.core.formats.parameters import Parameter, coerce_parameter, parameter_values
from facilitation.core.formats.parsing import MAX_NESTING, Resolver, parse_format
from facilitation.core.formats.positions import Located, Position, load_located_yaml
from facilitation.core.formats.schema import LANGUAGE_VERSION, STEP_KINDS, Format, Headcount, Step
from facilitation.core.formats.steps import (
    BASIC_ROLES,
    DEFAULT_TAGS,
    QA,
    VOTERS,
    BreakStep,
    Feedback,
    GroupsStep,
    InfoStep,
    InputField,
    InputStep,
    MatchStep,
    PassStep,
    PitchStep,
    QAStep,
    Reaction,
    Role,
    RotateStep,
    StepBase,
    Tag,
    TalkStep,
    UseStep,
    VoteOption,
    step_id,
)
from facilitation.core.formats.texts import Text, localise
from facilitation.core.formats.votes import CombinedPart, Criterion, ItemsRef, RevealStep, VoteStep

# The rest of the code imports from the package, so that names can move between its modules.
__all__ = [
    "BASIC_ROLES",
    "DEFAULT_TAGS",
    "LANGUAGE_VERSION",
    "MAX_NESTING",
    "QA",
    "SEMVER",
    "SLUG",
    "STEP_KINDS",
    "VOTERS",
    "BreakStep",
    "CombinedPart",
    "Criterion",
    "Feedback",
    "Format",
    "FormatError",
    "GroupsStep",
    "Headcount",
    "InfoStep",
    "InputField",
    "InputStep",
    "ItemsRef",
    "Located",
    "MatchStep",
    "Model",
    "Parameter",
    "PassStep",
    "PitchStep",
    "Position",
    "Problem",
    "QAStep",
    "Reaction",
    "Resolver",
    "RevealStep",
    "Role",
    "RotateStep",
    "Step",
    "StepBase",
    "Tag",
    "TalkStep",
    "Text",
    "UseStep",
    "VoteOption",
    "VoteStep",
    "coerce_parameter",
    "format_json_schema",
    "load_located_yaml",
    "localise",
    "parameter_values",
    "parse_format",
    "step_id",
]
