"""Evaluation: evaluators by name (`evaluators`), fed the family's predictions; metrics and feature extractors.

Importing the package registers the extractors (jaxgan's classifiers, the FID
Inception) and the evaluators.
"""

from jaxgan.evaluation import classifier, inception  # noqa: F401  (register their extractors)
from jaxgan.evaluation.evaluators import EVALUATORS, evaluate, evaluate_samples  # noqa: F401
from jaxgan.evaluation import representation  # noqa: F401,E402  (registers reconstruction, linear_probe)
from jaxgan.evaluation import translation  # noqa: F401,E402  (registers translation)
from jaxgan.evaluation import attributes  # noqa: F401,E402  (registers attributes)
from jaxgan.evaluation import anomaly  # noqa: F401,E402  (registers anomaly)
