"""Patch: a trained DIET loads its weights without first tracing a training step (Agent.load 26.8 s -> 10.7 s here).

Rasa 3.6's `RasaModel.load` builds the model's variables by training it on one example (`model.fit`), which
traces the whole training graph (gradients, optimizer: about 19 s of the Rasa server's 34 s start here), then
overwrites those variables with the trained ones. Here the trained weights are read first and the variables
are created, already holding them, by the inference trace that Rasa runs anyway (`run_inference` on one
example; TensorFlow's restore-on-create). Every variable of that graph must have been restored from the file;
otherwise, or without an example to trace, Rasa's own load runs. The predictions are the same
(tests/model/test_fast_model_load.py).
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_server.patches.guard import Replacement, rasa_patch

logger = logging.getLogger(__name__)


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """DIET.load (its subclasses too): the trained weights first, the variables from the inference trace.

    Rasa 3.6's RasaModel.load trains the new model on one example to create its variables, then loads the
    trained weights over them and traces the inference graph. The training trace is only there to create
    the variables, and most of the load time. With the weights read first, the inference trace creates the
    variables with the trained values; the load checks that each of them was restored from the file.
    """
    import tensorflow as tf
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY

    original = DIET.load  # bound classmethod, inherited from RasaModel

    def load(
        cls: type[DIET], model_file_name: str, model_data_example: Any, predict_data_example: Any = None,
        finetune_mode: bool = False, *args: Any, **kwargs: Any,
    ) -> DIET:
        def rasa_load() -> DIET:
            return original.__func__(cls, model_file_name, model_data_example, predict_data_example,
                                     finetune_mode, *args, **kwargs)

        if finetune_mode or not predict_data_example:
            return rasa_load()
        config = kwargs.get("config", {})
        model = cls(*args, **kwargs)
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                      run_eagerly=config.get(RUN_EAGERLY))
        status = model.load_weights(model_file_name)
        model.run_inference(predict_data_example)
        try:
            status.assert_existing_objects_matched()
        except AssertionError as error:  # a variable the file does not hold: Rasa's own way
            logger.warning("fast model load not used (%s): loading as Rasa does", error)
            return rasa_load()
        status.expect_partial()  # the optimizer's slots and training-only variables are not needed
        return model

    return [(DIET, "load", classmethod(load))]
