"""scalargrad's engine: scalar reverse-mode autograd, made to be read and watched."""

from .check import (
    CheckFailed,
    CheckResult,
    check_derivative,
    check_function,
    check_number,
    check_value_class,
)
from .draw import GraphTooLarge, draw_dot
from .expr import Expression, ExpressionError
from .gradcheck import Gradcheck, GradcheckError, InputCheck, gradcheck
from .paths import Path, PathSum, sum_over_paths
from .picture import Picture
from .recording import RecordError, Recording, record
from .render import RenderError
from .stepgif import save_steps_gif
from .steps import BackwardStep, EdgeStep, backward_steps
from .stepview import Frame, backward_frames, save_steps_html, step_through
from .value import Value, enable_grad, is_grad_enabled, no_grad, topological_order
from .views import draw_neurons, draw_sample

# one name per line, so that additions from different branches merge cleanly
__all__ = [
    'BackwardStep',
    'CheckFailed',
    'CheckResult',
    'EdgeStep',
    'Expression',
    'ExpressionError',
    'Frame',
    'Gradcheck',
    'GradcheckError',
    'GraphTooLarge',
    'InputCheck',
    'Path',
    'PathSum',
    'Picture',
    'RecordError',
    'Recording',
    'RenderError',
    'Value',
    'backward_frames',
    'backward_steps',
    'check_derivative',
    'check_function',
    'check_number',
    'check_value_class',
    'draw_dot',
    'draw_neurons',
    'draw_sample',
    'enable_grad',
    'gradcheck',
    'is_grad_enabled',
    'no_grad',
    'record',
    'save_steps_gif',
    'save_steps_html',
    'step_through',
    'sum_over_paths',
    'topological_order',
]
