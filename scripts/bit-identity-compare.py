#!/usr/bin/env python3
"""bit-identity-compare.py BEFORE_DIR AFTER_DIR [--ignore-diag std,...] [--ignore-param k,...]
Compares the run files scripts/bit-identity.sh kept: experiment.json and metrics.csv semantically (key order ignored; listed diagnostics/params ignored),
model/state safetensors byte for byte. Prints one line per run."""
import json, sys, os, csv, hashlib
a, b = sys.argv[1], sys.argv[2]
ign_diag = set(); ign_par = set()
args = sys.argv[3:]
for i, x in enumerate(args):
    if x == '--ignore-diag': ign_diag = set(args[i+1].split(','))
    if x == '--ignore-param': ign_par = set(args[i+1].split(','))
def norm_exp(path):
    d = json.load(open(path))
    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k not in ign_diag and k not in ign_par and k not in ('git', 'git_info', 'version', 'provenance')}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return strip(d)
def norm_csv(path):
    rows = list(csv.DictReader(open(path)))
    return [{k: v for k, v in r.items() if k not in ign_diag} for r in rows]
def h(p): return hashlib.sha256(open(p, 'rb').read()).hexdigest()
for run in sorted(os.listdir(a)):
    pa, pb = os.path.join(a, run), os.path.join(b, run)
    if not os.path.isdir(pb): print(run, 'MISSING in after'); continue
    res = []
    res.append('exp=' + ('ok' if norm_exp(pa+'/experiment.json') == norm_exp(pb+'/experiment.json') else 'DIFF'))
    res.append('csv=' + ('ok' if norm_csv(pa+'/metrics.csv') == norm_csv(pb+'/metrics.csv') else 'DIFF'))
    res.append('model=' + ('ok' if h(pa+'/model.safetensors') == h(pb+'/model.safetensors') else 'DIFF'))
    res.append('state=' + ('ok' if h(pa+'/state.safetensors') == h(pb+'/state.safetensors') else 'DIFF'))
    print(run, ' '.join(res))
