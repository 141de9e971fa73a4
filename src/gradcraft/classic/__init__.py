"""gradcraft.classic: the course's classic models with scikit-learn's estimator API.

`fit(X, y)` returns self; `predict`, `score`, `predict_proba` / `decision_function` where they
mean something; `get_params` / `set_params` (scikit-learn's `BaseEstimator`, so the estimators
work in `Pipeline`, `GridSearchCV` and `cross_val_score`); fitted attributes end in `_`. The
algorithms are written here, on NumPy; scikit-learn provides only the estimator protocol.
"""

from . import knn as _knn, linear as _linear, multiclass_svm as _multiclass_svm
from . import proximal as _proximal, svm as _svm, tsne as _tsne
from .knn import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .multiclass_svm import *  # noqa: F401,F403
from .svm import *  # noqa: F401,F403
from .tsne import *  # noqa: F401,F403
from .proximal import *  # noqa: F401,F403

__all__ = [name for family in (_knn, _linear, _multiclass_svm, _svm, _tsne, _proximal)
           for name in family.__all__]
