#!/usr/bin/env python3
"""Prints the top-1 accuracy of logits (.npy, N x classes) against labels
(.npy, N) as 'accuracy NN.NN% (correct/N)'; with --min, fails below it."""
import argparse
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("logits")
parser.add_argument("labels")
parser.add_argument("--reference", help="fp32 logits: also print the drop")
parser.add_argument("--max-drop", type=float,
                    help="fail when accuracy is more than this many points "
                         "below the reference's")
args = parser.parse_args()
labels = np.load(args.labels)


def accuracy(path):
    return float((np.load(path).argmax(1) == labels).mean() * 100)


acc = accuracy(args.logits)
print(f"accuracy {acc:.2f}% ({int(round(acc * len(labels) / 100))}/{len(labels)})")
if args.reference:
    drop = accuracy(args.reference) - acc
    print(f"drop {drop:.2f} points")
    if args.max_drop is not None and drop > args.max_drop:
        raise SystemExit(f"accuracy drop {drop:.2f} exceeds {args.max_drop}")
