"""scalargrad's engine: scalar reverse-mode autograd, made to be read and watched."""

from .check import (
    CheckFailed,
    CheckResult,
    check_derivative,
    check_function,
    check_number,
    check_value_class,
)
from .draw import GraphTooLarge, Picture, RenderError, draw_dot
from .expr import Expression, ExpressionError
from .gradcheck import InputCheck, gradcheck
from .steps import BackwardStep, EdgeStep, backward_steps
from .stepview import Frame, backward_frames, save_steps_html, step_through
from .value import Value, is_grad_enabled, no_grad, topological_order

__all__ = [
    'BackwardStep', 'CheckFailed', 'CheckResult', 'EdgeStep', 'Expression', 'ExpressionError',
    'Frame', 'GraphTooLarge', 'InputCheck', 'Picture', 'RenderError', 'Value',
    'backward_frames', 'backward_steps', 'check_derivative', 'check_function', 'check_number',
    'check_value_class', 'draw_dot', 'gradcheck', 'is_grad_enabled', 'no_grad',
    'save_steps_html', 'step_through', 'topological_order',
]
