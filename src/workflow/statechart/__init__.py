"""The petition statechart: loaded from YAML, validated once, run by one shared machine.

This is the only package that imports ``transitions``. May import ``workflow.domain``;
its diagram command (``render``) alone builds the chart as the running service does.
"""

from workflow.statechart.chart import Chart, StateSpec, TimerSpec, TransitionSpec
from workflow.statechart.errors import StatechartInvalid
from workflow.statechart.loader import NameRegistry, load_chart
from workflow.statechart.machine import ChartMachine

__all__ = [
    "Chart",
    "ChartMachine",
    "NameRegistry",
    "StateSpec",
    "StatechartInvalid",
    "TimerSpec",
    "TransitionSpec",
    "load_chart",
]
