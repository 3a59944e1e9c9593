"""The X-ARES Track B kNN with scikit-learn's KNeighborsClassifier: the peer of the engine's kNN
in `npm run bench`. Same recipe: the training matrix L2-normalised per dimension, queries per
sample, the 10 most similar by dot product, votes weighted by softmax(similarity / 0.07).

KNeighborsClassifier ranks by distance, not by dot product, so every training vector gets one
extra coordinate sqrt(R^2 - |x|^2) (R^2 the largest squared norm) and every query a 0: then
|q - x|^2 = 1 + R^2 - 2 q.x, in the same order as the dot product, and the weights recover the
similarity from the distance.

Usage: knn_sklearn.py train.f32 labels.i32 test.f32 N M D predicted.i32 THREADS
Writes the predicted classes and prints one JSON line with the seconds from the raw arrays to
the predictions (normalisation, fit and predict)."""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.neighbors import KNeighborsClassifier


def main() -> None:
    train_path, labels_path, test_path, n, m, dim, out_path, threads = sys.argv[1:9]
    n, m, dim = int(n), int(m), int(dim)
    train = np.fromfile(train_path, dtype=np.float32).reshape(n, dim)
    labels = np.fromfile(labels_path, dtype=np.int32)
    test = np.fromfile(test_path, dtype=np.float32).reshape(m, dim)
    started = time.perf_counter()
    train = train / np.maximum(np.linalg.norm(train, axis=0, keepdims=True), 1e-12)
    test = test / np.maximum(np.linalg.norm(test, axis=1, keepdims=True), 1e-12)
    squared = np.einsum("ij,ij->i", train, train)
    radius2 = float(squared.max())
    lift = np.sqrt(np.maximum(radius2 - squared, 0)).astype(np.float32)
    train = np.hstack([train, lift[:, None]])
    test = np.hstack([test, np.zeros((m, 1), dtype=np.float32)])

    def softmax_weights(distances: np.ndarray) -> np.ndarray:
        similarity = (1 + radius2 - distances.astype(np.float64) ** 2) / 2 / 0.07
        weights = np.exp(similarity - similarity.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True)

    model = KNeighborsClassifier(
        n_neighbors=10, weights=softmax_weights, algorithm="brute", n_jobs=int(threads)
    )
    model.fit(train, labels)
    predicted = model.predict(test)
    seconds = time.perf_counter() - started
    predicted.astype(np.int32).tofile(out_path)
    print(json.dumps({"seconds": seconds, "sklearn": sklearn.__version__}))


main()
