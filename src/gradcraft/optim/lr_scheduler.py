"""Learning-rate schedulers with PyTorch's API and arithmetic (`torch.optim.lr_scheduler`).

Use: build the scheduler after the optimizer, call `optimizer.step()` every batch and
`scheduler.step()` once per epoch (`ReduceLROnPlateau.step(val_loss)`). A scheduler writes
`group['lr']` of every parameter group; `get_last_lr()` returns those values.

Like PyTorch's, the schedules are *chainable*: each step multiplies the current `group['lr']`
by a factor (rather than recomputing from the base lr), so two schedulers can act on one
optimizer. Warm-up is PyTorch's `LinearLR` (`LinearWarmup` is a shorthand for it); warm-up
followed by decay is `SequentialLR(opt, [LinearLR(...), CosineAnnealingLR(...)], [warmup])`.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right

from ..validation import check_choice, check_int, check_real
from .optimizer import Optimizer


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"a scheduler needs a gradcraft.optim Optimizer, got {type(optimizer).__name__}")
    return optimizer


def _check_state_dict(scheduler, state_dict, expected) -> None:
    if not isinstance(state_dict, dict):
        raise TypeError(f"{type(scheduler).__name__}.load_state_dict expects a dict, got "
                        f"{type(state_dict).__name__}")
    if set(state_dict) != set(expected):
        raise ValueError(f"{type(scheduler).__name__}.load_state_dict expects keys {sorted(expected)}, "
                         f"got {sorted(state_dict)}")


class LRScheduler:
    """Base class: subclasses define `get_lr()` (the chainable rule for `last_epoch`) and
    `_closed_form_lr()` (the lr at `last_epoch` from the base lrs, used by SequentialLR)."""

    _is_initial = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        self.optimizer = _check_optimizer(optimizer)
        last_epoch = check_int(last_epoch, "last_epoch", low=-1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"resuming with last_epoch={last_epoch} needs 'initial_lr' in "
                                   f"param_groups[{i}] (load the optimizer's state_dict first)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def _closed_form_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new lr into every parameter group."""
        self._step_count += 1
        self.last_epoch += 1
        self._write(self.get_lr())

    def _jump_to(self, epoch: int) -> None:
        self.last_epoch = epoch
        self._write(self._closed_form_lr())

    def _write(self, lrs) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lr of each parameter group after the last step."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute except the optimizer (copies)."""
        return {key: copy.deepcopy(value) for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        _check_state_dict(self, state_dict, self.state_dict())
        vars(self).update(copy.deepcopy(state_dict))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size = check_int(step_size, "step_size", low=1)
        self.gamma = check_real(gamma, "gamma", low=0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = check_real(gamma, "gamma", low=0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        return lrs if self._is_initial else [lr * self.gamma for lr in lrs]

    def _closed_form_lr(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2  (SGDR without restarts;
    past T_max it rises again, as in PyTorch)."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):  # noqa: N803
        self.T_max = check_int(T_max, "T_max", low=1)
        self.eta_min = check_real(eta_min, "eta_min", low=0.0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups, epoch, t_max, eta_min = self.optimizer.param_groups, self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and epoch > 0:  # resumed: start from the closed form
            return self._closed_form_lr()
        if (epoch - 1 - t_max) % (2 * t_max) == 0:  # the bottom of the cosine: the ratio below is 0/0
            return [group["lr"] + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        # ratio of consecutive closed forms, applied to the current lr (chainable)
        ratio = (1 + math.cos(math.pi * epoch / t_max)) / (1 + math.cos(math.pi * (epoch - 1) / t_max))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]

    def _closed_form_lr(self):
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Multiply base_lr by a factor going linearly from start_factor to end_factor over
    total_iters epochs, then constant (PyTorch's LinearLR; the usual warm-up)."""

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        # start_factor 0 would make lr 0 and every later chained factor a division by zero
        self.start_factor = check_real(start_factor, "start_factor", low=0.0, high=1.0, low_open=True)
        self.end_factor = check_real(end_factor, "end_factor", low=0.0, high=1.0)
        self.total_iters = check_int(total_iters, "total_iters", low=1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        # factor(e) / factor(e - 1) with factor(e) = start + (end - start) e / total
        delta = self.end_factor - self.start_factor
        ratio = 1.0 + delta / (self.total_iters * self.start_factor + (self.last_epoch - 1) * delta)
        return [lr * ratio for lr in lrs]

    def _closed_form_lr(self):
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base * factor for base in self.base_lrs]


class LinearWarmup(LinearLR):
    """Warm-up: lr rises linearly from start_factor * lr to lr over `warmup_steps` steps
    (exactly `LinearLR(optimizer, start_factor, 1.0, warmup_steps)`)."""

    def __init__(self, optimizer, warmup_steps: int, start_factor: float = 0.1, last_epoch: int = -1):
        # checked here too, so that an error names the argument the caller wrote (not total_iters)
        warmup_steps = check_int(warmup_steps, "warmup_steps", low=1)
        super().__init__(optimizer, start_factor, 1.0, warmup_steps, last_epoch)


class SequentialLR(LRScheduler):
    """Run `schedulers[0]` until `milestones[0]`, then `schedulers[1]` (restarted from its base
    lr), ... e.g. warm-up then cosine decay. Same arithmetic as PyTorch's SequentialLR."""

    def __init__(self, optimizer, schedulers: list, milestones: list, last_epoch: int = -1):
        self.optimizer = _check_optimizer(optimizer)
        last_epoch = check_int(last_epoch, "last_epoch", low=-1)
        if not isinstance(schedulers, list | tuple):
            raise TypeError(f"schedulers must be a list of schedulers, got {type(schedulers).__name__}")
        if not isinstance(milestones, list | tuple):
            raise TypeError(f"milestones must be a list of ints, got {type(milestones).__name__}")
        milestones = [check_int(m, f"milestones[{i}]", low=0) for i, m in enumerate(milestones)]
        if not schedulers:
            raise ValueError("SequentialLR needs at least one scheduler")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or isinstance(scheduler, ReduceLROnPlateau):
                raise TypeError(f"schedulers[{i}] must be an epoch scheduler (not ReduceLROnPlateau), "
                                f"got {type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] belongs to another optimizer")
        if len(milestones) != len(schedulers) - 1 or milestones != sorted(milestones):
            raise ValueError(f"milestones must be {len(schedulers) - 1} increasing epochs (one fewer than "
                             f"schedulers), got {list(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:  # undo the initial steps the schedulers already took
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            scheduler.last_epoch -= 1
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._jump_to(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict:
        state = {key: copy.deepcopy(value) for key, value in vars(self).items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        if not isinstance(state_dict, dict):
            raise TypeError(f"SequentialLR.load_state_dict expects a dict, got {type(state_dict).__name__}")
        inner = state_dict.get("_schedulers")
        if not isinstance(inner, list) or len(inner) != len(self._schedulers):
            raise ValueError(f"SequentialLR.load_state_dict expects '_schedulers' with "
                             f"{len(self._schedulers)} entries")
        for scheduler, saved in zip(self._schedulers, inner):
            scheduler.load_state_dict(saved)
        vars(self).update({k: copy.deepcopy(v) for k, v in state_dict.items() if k != "_schedulers"})


class ReduceLROnPlateau:
    """Multiply lr by `factor` when the metric passed to `step(metric)` has not improved for more
    than `patience` epochs (PyTorch's rule, including threshold, cooldown, min_lr and eps).

    Improvement ('min' mode): metric < best * (1 - threshold) ('rel') or < best - threshold ('abs');
    'max' mode mirrors it. A reduction is skipped when it would change lr by less than `eps`.
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr=0.0, eps: float = 1e-8):
        self.optimizer = _check_optimizer(optimizer)
        mode = check_choice(mode, "mode", ("min", "max"))
        threshold_mode = check_choice(threshold_mode, "threshold_mode", ("rel", "abs"))
        # factor 1 would never reduce (torch: "Factor should be < 1.0")
        self.factor = check_real(factor, "factor", low=0.0, high=1.0, high_open=True)
        patience = check_int(patience, "patience", low=0)
        cooldown = check_int(cooldown, "cooldown", low=0)
        groups = optimizer.param_groups
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != len(groups):
                raise ValueError(f"min_lr must have one value per parameter group ({len(groups)}), got {len(min_lr)}")
            self.min_lrs = [check_real(value, f"min_lr[{i}]", low=0.0) for i, value in enumerate(min_lr)]
        else:
            self.min_lrs = [check_real(min_lr, "min_lr", low=0.0)] * len(groups)
        self.mode, self.threshold_mode = mode, threshold_mode
        self.threshold = check_real(threshold, "threshold", low=0.0)
        self.patience, self.cooldown, self.eps = patience, cooldown, check_real(eps, "eps", low=0.0)
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [group["lr"] for group in groups]

    def _is_better(self, value: float) -> bool:
        if self.mode == "min":
            bar = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return value < bar
        bar = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return value > bar

    def step(self, metric) -> None:
        """Record this epoch's metric (e.g. the validation loss) and reduce lr if it plateaued."""
        # a one-element Tensor or array counts as its number; NaN and inf are allowed (never better)
        value = check_real(metric.item() if hasattr(metric, "item") else metric, "metric", finite=False)
        self.last_epoch += 1
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    state_dict = LRScheduler.state_dict
    load_state_dict = LRScheduler.load_state_dict
