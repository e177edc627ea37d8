"""Lists what TensorBoard's own reader finds in a log directory, as JSON: {run: {tag: [[step, value], ...]}}.

    python scripts/check_tensorboard.py <logdir>   (needs the pip package tensorboard)
"""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

root = sys.argv[1]
out = {}
for dirpath, _dirs, files in os.walk(root):
    if not any(f.startswith("events.out.tfevents.") for f in files):
        continue
    acc = EventAccumulator(dirpath)
    acc.Reload()
    run = os.path.relpath(dirpath, root)
    out[run] = {tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}
print(json.dumps(out, sort_keys=True))
