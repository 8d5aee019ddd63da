"""engine.check: a learner's Value class and exercise answers, checked against scalargrad.

Each buggy class below makes one classic mistake; the checker must catch it and say so.
"""

import math

import pytest

from engine import Value, check_derivative, check_function, check_number, check_value_class
from engine.check import CheckFailed, CheckResult


class Learner:
    """A correct micrograd-style Value, written the way the notebook has learners write it."""

    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Learner) else Learner(other)
        out = type(self)(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Learner) else Learner(other)
        out = type(self)(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __rmul__ = __mul__

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,), 'tanh')

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:                      # iterative depth-first search
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class WrongLocalDerivative(Learner):
    def __mul__(self, other):
        out = Learner.__mul__(self, other)

        def _backward():                  # the mistake: its own number, not the other factor
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad
        out._backward = _backward
        return out


class ForgetsUpstream(Learner):
    def __mul__(self, other):
        out = Learner.__mul__(self, other)

        def _backward():                  # the mistake: no `* out.grad`
            self.grad += other.data
            other.grad += self.data
        out._backward = _backward
        return out


class Overwrites(Learner):
    def __add__(self, other):
        out = Learner.__add__(self, other)

        def _backward():                  # the mistake: = instead of +=
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Learner.__mul__(self, other)

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


class OverwritesInAddOnly(Learner):
    def __add__(self, other):
        out = Learner.__add__(self, other)

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out


class NoTopologicalSort(Learner):
    def backward(self):                   # the mistake: a node passes its gradient on at once
        self.grad = 1.0
        stack = [self]
        while stack:
            node = stack.pop()
            node._backward()
            stack.extend(node._prev)


class ChildrenInASet:
    """Local derivatives as data, as scalargrad stores them, but children kept in a set."""

    def __init__(self, data, _children=(), _local=()):
        self.data = data
        self.grad = 0.0
        self._prev = set(_children)                      # the mistake: a * a keeps a once
        self._local = dict(zip(_children, _local))

    def __add__(self, other):
        return ChildrenInASet(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        return ChildrenInASet(self.data * other.data, (self, other), (other.data, self.data))

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for child in node._prev:
                child.grad += node._local[child] * node.grad


def test_a_correct_learner_class_passes_every_case():
    result = check_value_class(Learner)
    assert result.ok and bool(result)
    assert {'+', '*', 'tanh', 'a + a', 'a * a', 'topological order', 'chain of 500'} <= set(
        result.passed)
    assert 'agrees with scalargrad' in result.message


def test_micrograds_own_value_passes_and_its_missing_ops_are_notes():
    micrograd = pytest.importorskip('micrograd.engine')
    result = check_value_class(micrograd.Value)
    assert result.ok, result.message
    assert {'**', '/', 'relu', 'a * a', 'chain of 500'} <= set(result.passed)
    assert 'tanh' in result.skipped and 'exp' in result.skipped
    assert any('a.tanh()' in note and 'not checked' in note for note in result.notes)


def test_micrograds_deep_chain_and_second_backward_are_notes_not_failures():
    micrograd = pytest.importorskip('micrograd.engine')
    notes = ' '.join(check_value_class(micrograd.Value).notes)
    assert 'recursion limit' in notes
    assert 'a.grad = 36.0, where PyTorch (and scalargrad) give 24.0' in notes


def test_scalargrads_own_value_passes_with_no_note_about_a_second_backward():
    result = check_value_class(Value)
    assert result.ok
    assert not any('twice' in note for note in result.notes)


def test_a_wrong_local_derivative_is_named_with_the_op_and_the_numbers():
    result = check_value_class(WrongLocalDerivative)
    assert not result
    assert result.message == ("your `*` gives a.grad = 2.0 where the chain rule gives -3.0 "
                              "\u2014 check the local derivative of a*b with respect to a")


def test_forgetting_the_upstream_gradient_is_caught_below_another_op():
    result = check_value_class(ForgetsUpstream)
    assert not result
    assert result.message.startswith('in (a * b) * k, your a.grad is -3.0 where the chain '
                                     'rule gives -12.0')
    assert 'out.grad' in result.message


def test_assigning_instead_of_adding_is_caught_by_a_node_used_in_two_ops():
    result = check_value_class(Overwrites)
    assert not result
    assert result.message.startswith('in a * b + a, your a.grad is -2.0 where the chain rule '
                                     'gives -1.0')
    assert '`self.grad += ...`' in result.message


def test_assigning_in_add_only_is_caught_by_a_plus_a():
    result = check_value_class(OverwritesInAddOnly)
    assert not result
    assert result.message.startswith('in a + a, your a.grad is 1.0 where the chain rule '
                                     'gives 2.0')
    assert 'never `self.grad = ...`' in result.message


def test_a_backward_without_topological_order_is_caught_by_a_shared_node():
    result = check_value_class(NoTopologicalSort)
    assert not result
    assert result.message.startswith('in b = a * two; b + b * three, your a.grad is')
    assert 'topological order in reverse' in result.message


def test_children_kept_in_a_set_lose_the_second_use_of_a_reused_node():
    result = check_value_class(ChildrenInASet)
    assert not result
    assert result.message.startswith('in a + a, your a.grad is 1.0 where the chain rule '
                                     'gives 2.0')
    assert 'in a set' in result.message


def test_a_class_that_does_not_take_a_number_is_told_how_leaves_are_made():
    class NeedsTwo(Learner):
        def __init__(self, data, label):
            super().__init__(data)
    result = check_value_class(NeedsTwo)
    assert not result and result.message.startswith('NeedsTwo(2.0) raised TypeError')


def test_a_crash_inside_the_learners_op_is_reported_as_one_sentence():
    class Crashes(Learner):
        def tanh(self):
            return undefined_name  # noqa: F821
    result = check_value_class(Crashes)
    assert not result
    assert result.message == "a.tanh() with Crashes raised NameError: name 'undefined_name' " \
                             "is not defined"


def test_a_class_without_number_support_gets_a_note_not_a_failure():
    class ValuesOnly(Learner):
        def __add__(self, other):
            return Learner.__add__(self, other) if isinstance(other, Learner) else \
                other.data  # AttributeError for a float, as a first attempt would do
    result = check_value_class(ValuesOnly)
    assert result.ok
    assert any(note.startswith('a + 1.5 raised AttributeError') for note in result.notes)


def test_something_that_is_not_a_class_is_refused_with_a_clear_error():
    with pytest.raises(TypeError, match='needs your Value class itself'):
        check_value_class(Learner(2.0))


def test_raise_if_wrong_raises_the_message_and_returns_a_passing_result():
    with pytest.raises(CheckFailed, match='local derivative of a\\*b'):
        check_value_class(WrongLocalDerivative).raise_if_wrong()
    result = check_value_class(Learner)
    assert result.raise_if_wrong() is result


def test_a_result_prints_its_message_and_notes():
    result = CheckResult(True, 'right', notes=['one thing'])
    assert str(result) == 'right\nnote: one thing'


def test_check_number_accepts_the_answer_within_tolerance():
    result = check_number(6.0000000001, 6.0, name='a.grad', reason='3 from each use')
    assert result and result.message == 'right: a.grad = 6: 3 from each use'


def test_check_number_says_too_large_without_telling_the_answer():
    result = check_number(7.5, 6.0, name='a.grad')
    assert not result and result.message == 'not yet: a.grad = 7.5 is 25% too large'


def test_check_number_says_wrong_sign():
    assert 'of the wrong sign' in check_number(-6.0, 6.0).message


def test_check_number_asks_to_replace_the_placeholder():
    result = check_number(..., 6.0, name='x.grad')
    assert not result and '`...`' in result.message


def test_check_number_refuses_a_string():
    result = check_number('six', 6.0)
    assert not result and 'should be a number, got str' in result.message


def test_check_number_reads_a_value_node():
    assert check_number(Value(2.0), 2.0)


def test_check_function_finds_the_first_point_that_differs():
    result = check_function(lambda x: 2 * x, lambda x: x * x, [0.0, 2.0, 3.0], name='f')
    assert not result and result.message == 'not yet: f gives 6.0 at x = 3.0 where it should ' \
                                            'give 9.0'
    assert check_function(lambda x, y: x * y, lambda x, y: y * x, [(1.0, 2.0), (3.0, -1.0)])


def test_check_function_reports_a_crash_in_the_learners_function():
    result = check_function(lambda x: 1 / x, lambda x: x, [0.0])
    assert not result and 'raised ZeroDivisionError' in result.message


def test_check_derivative_compares_with_backward():
    f = lambda x: x ** 4 - 2 * x ** 2
    assert check_derivative(lambda x: 4 * x ** 3 - 4 * x, f, [-1.5, 0.3, 2.0])
    assert not check_derivative(lambda x: 4 * x ** 3, f, [-1.5, 0.3, 2.0])


def test_a_required_op_that_is_missing_fails_with_its_method_name():
    result = check_value_class(Learner, require=['**'])
    assert not result and result.message == 'Learner has no `**` yet: define __pow__ on the class'
    assert check_value_class(Learner, require=['tanh'])


def test_an_unknown_required_op_is_refused():
    with pytest.raises(ValueError, match="got 'sqrt'"):
        check_value_class(Learner, require=['sqrt'])


class DeeplyRecursive(Learner):
    def backward(self):                   # three Python frames per node: 500 nodes overflow
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                each(node._prev)
                order.append(node)

        def each(children):
            for child in children:
                step(child)

        def step(child):
            visit(child)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def test_a_backward_that_overflows_the_stack_on_the_graded_chain_is_told_to_use_a_loop():
    result = check_value_class(DeeplyRecursive)
    assert not result
    assert result.message.startswith("your backward() hits Python's recursion limit on a chain "
                                     "of 500 ops")
    assert 'a loop and a list used as a stack' in result.message


def test_a_backward_that_never_seeds_the_output_gradient_is_told_so():
    class Unseeded(Learner):
        def backward(self):
            for node in reversed([self, *self._prev]):
                node._backward()
    result = check_value_class(Unseeded)
    assert not result
    assert result.message == ("after backward() on a + b the output's own grad is 0.0: "
                              "backward() must start by setting it to 1 (d out / d out)")


def test_a_backward_walking_the_order_forwards_is_told_to_reverse_it():
    class ForwardOrder(Learner):
        def backward(self):
            order, seen = [], set()

            def visit(node):
                if node not in seen:
                    seen.add(node)
                    for child in node._prev:
                        visit(child)
                    order.append(node)
            visit(self)
            self.grad = 1.0
            for node in order:            # the mistake: leaves first, output last
                node._backward()
    result = check_value_class(ForwardOrder)
    assert not result
    assert result.message.startswith('in (a + b) * k, your a.grad is 0.0 where the chain rule '
                                     'gives 4.0')
    assert 'reverse topological order' in result.message


def test_check_number_says_a_rounded_answer_is_close_and_wants_more_digits():
    result = check_number(2.41, 2.414213562373095, name='the slope')
    assert not result
    assert result.message == ('not yet: the slope = 2.41 is 0.17% too small '
                              '(close: the check wants more digits)')
