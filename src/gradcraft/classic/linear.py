"""Linear classifiers s = Wx + b trained by minibatch SGD on gradcraft.losses' gradients: LinearClassifier.

The objective (per epoch, `loss_history_` records it on the whole training set):

    J(W, b) = (1/n) sum_i L(W x_i + b, y_i)  +  reg * ||W||_F^2

with L one of the course's losses (gradcraft.losses, their fused ops give dL/ds analytically)
and no 1/2 in front of the penalty (the course's convention, CS231n's too): dJ/dW gets
2 reg W. The intercept b is not penalised. With scores S = X W^T + b (n, K) and G = dJ/dS
(the loss's gradient, already divided by n for the mean), the chain rule gives

    dJ/dW = G^T X + 2 reg W        dJ/db = sum_i G_i
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._available_if import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ..losses import huber_hinge, max_hinge, multiclass_hinge, softmax_cross_entropy, value_and_grad
from ..validation import check_choice, check_int, check_real

__all__ = ["LinearClassifier", "linear_objective"]

#: loss= name -> the loss of gradcraft.losses (scores (N, K), labels (N,) -> mean loss)
LOSSES = {
    "hinge": multiclass_hinge,      # Weston-Watkins, sum_{j != y} max(0, s_j - s_y + 1)
    "max_hinge": max_hinge,         # Crammer-Singer, max(0, max_{j != y} s_j - s_y + 1)
    "softmax": softmax_cross_entropy,
    "huber_hinge": huber_hinge,     # a=0.5, b=1, margin=1: differentiable everywhere
}


def linear_objective(W, b, X, y, loss: str = "hinge", reg: float = 0.0):
    """J(W, b) = mean_i L(W x_i + b, y_i) + reg ||W||^2 and its gradient: (J, dJ/dW, dJ/db).

    W (K, d), b (K,), X (n, d), y (n,) class indices in [0, K). The gradient is the loss's
    analytic one (gradcraft.losses' fused op) pulled back through s = W x + b; the penalty has no
    1/2 (its gradient is 2 reg W) and does not touch b. This is exactly the step `LinearClassifier`
    takes on each minibatch.
    """
    loss_fn = LOSSES[check_choice(loss, "loss", tuple(LOSSES))]
    reg = check_real(reg, "reg", low=0.0)
    scores = X @ W.T + b
    data_loss, dscores = value_and_grad(loss_fn, scores, y)
    value = data_loss + reg * float(np.vdot(W, W))
    return value, dscores.T @ X + (2 * reg) * W, dscores.sum(axis=0)


def classifier_inputs(estimator, X, y):
    """X as float64 (n, d) and y as class indices (n,) for `estimator.fit`, which gets
    `classes_` (and scikit-learn's n_features_in_): the checks every classifier of this package
    shares (MulticlassSVM uses it too). A single class is refused, naming it."""
    X, y = validate_data(estimator, X, y, dtype=np.float64)
    check_classification_targets(y)
    estimator.classes_, labels = np.unique(y, return_inverse=True)
    if len(estimator.classes_) < 2:
        raise ValueError(f"{type(estimator).__name__} needs at least 2 classes in y, got 1 class "
                         f"({estimator.classes_[0]!r})")
    return X, labels


def _is_softmax(estimator) -> bool:
    return estimator.loss == "softmax"


class LinearClassifier(ClassifierMixin, BaseEstimator):
    """A linear multiclass classifier s = W x + b trained by minibatch SGD.

    Parameters
    ----------
    loss : 'hinge' | 'max_hinge' | 'softmax' | 'huber_hinge', default 'hinge'
        'hinge' is the multiclass hinge of Weston and Watkins (`gradcraft.losses.multiclass_hinge`),
        'max_hinge' that of Crammer and Singer, 'softmax' the cross-entropy of softmax(s) (then
        `predict_proba` exists), 'huber_hinge' the smooth Huber classification loss; all with
        margin 1.
    reg : float >= 0, default 1e-4
        The L2 penalty reg * ||W||_F^2 (no 1/2; the intercept is not penalised).
    lr : float > 0, default 0.01
        The constant SGD step size.
    epochs : int >= 1, default 50
        Passes over the training set (fewer when `tol` stops the run).
    batch_size : int >= 1, default 32
        Samples per step (the last batch of an epoch is smaller; batch_size >= n is full-batch
        gradient descent).
    seed : int or None, default 0
        Seeds the per-epoch shuffling (numpy's default_rng); W and b start at 0, so a given seed
        gives the same model every time. None: a fresh shuffle each fit.
    tol : float > 0 or None, default None
        Early stopping: stop once the epoch objective has not fallen below
        (best so far - tol) for `n_iter_no_change` epochs in a row (SGDClassifier's rule, on the
        whole-training-set objective). None runs all `epochs`.
    n_iter_no_change : int >= 1, default 5

    Attributes
    ----------
    coef_ : (K, d), intercept_ : (K,)   one score row per class, also for two classes
        (SGDClassifier keeps one row for a binary problem; `decision_function` still returns
        s_1 - s_0 of shape (n,) there, as scikit-learn does).
    classes_ : the sorted labels (any type `numpy.unique` sorts).
    loss_history_ : list of floats, one per epoch: the mean data loss plus reg ||W||^2 on the
        whole training set after the epoch.
    n_iter_ : epochs run.
    """

    def __init__(self, loss="hinge", reg=1e-4, lr=0.01, epochs=50, batch_size=32, seed=0,
                 tol=None, n_iter_no_change=5):
        self.loss = loss
        self.reg = reg
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change

    def _checked_params(self):
        check_choice(self.loss, "loss", tuple(LOSSES))
        check_real(self.reg, "reg", low=0.0)
        check_real(self.lr, "lr", low=0.0, low_open=True)
        check_int(self.epochs, "epochs", low=1)
        check_int(self.batch_size, "batch_size", low=1)
        if self.seed is not None:
            check_int(self.seed, "seed", low=0)
        if self.tol is not None:
            check_real(self.tol, "tol", low=0.0, low_open=True)
        check_int(self.n_iter_no_change, "n_iter_no_change", low=1)

    def fit(self, X, y):
        """Train on X (n, d) and labels y (n,); returns self."""
        self._checked_params()
        X, labels = classifier_inputs(self, X, y)
        # one BLAS thread: the minibatch products are small, and idle BLAS threads spinning
        # between them make SGD several times slower on a loaded machine
        with threadpool_limits(limits=1, user_api="blas"):
            self._sgd(X, labels)
        return self

    def _sgd(self, X, labels):
        n, d = X.shape
        W = np.zeros((len(self.classes_), d))
        b = np.zeros(len(self.classes_))
        rng = np.random.default_rng(self.seed)
        self.loss_history_ = []
        best, stale = np.inf, 0
        for epoch in range(self.epochs):
            order = rng.permutation(n)
            for start in range(0, n, self.batch_size):
                batch = order[start:start + self.batch_size]
                _, dW, db = linear_objective(W, b, X[batch], labels[batch], self.loss, self.reg)
                W -= self.lr * dW
                b -= self.lr * db
            value = self._objective(X, labels, W, b)
            self.loss_history_.append(value)
            if self.tol is not None:
                stale = stale + 1 if value > best - self.tol else 0
                best = min(best, value)
                if stale >= self.n_iter_no_change:
                    break
        self.coef_, self.intercept_, self.n_iter_ = W, b, epoch + 1

    def _objective(self, X, labels, W, b) -> float:
        data_loss = LOSSES[self.loss](X @ W.T + b, labels).item()
        return data_loss + self.reg * float(np.vdot(W, W))

    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_.T + self.intercept_

    def decision_function(self, X):
        """The scores W x + b, (n, K); for two classes s_1 - s_0, (n,) (positive: classes_[1])."""
        scores = self._scores(X)
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        """The class of the highest score (the first one among ties)."""
        best = self._scores(X).argmax(axis=1)
        return self.classes_[best]

    @available_if(_is_softmax)
    def predict_proba(self, X):
        """softmax(W x + b), (n, K); only for loss='softmax' (else AttributeError)."""
        scores = self._scores(X)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    @available_if(_is_softmax)
    def predict_log_proba(self, X):
        """log softmax(W x + b), (n, K); only for loss='softmax'."""
        scores = self._scores(X)
        top = scores.max(axis=1, keepdims=True)
        return scores - (top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True)))
