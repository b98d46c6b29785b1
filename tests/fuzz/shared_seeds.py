#!/usr/bin/env python3
"""Adds records from the shared third-party data (../shared/data) to a fuzz corpus.

usage: shared_seeds.py SHARED_DATA_DIR TARGET CORPUS_DIR

One file per record, at most a few hundred per target, prefixed the way each fuzz target reads
its input (tests/fuzz/fuzz_<target>.cpp)."""
import glob
import hashlib
import os
import sys

LIMIT = 300


def lines(pattern):
    for path in sorted(glob.glob(pattern, recursive=True)):
        with open(path, 'rb') as f:
            for line in f:
                line = line.rstrip(b'\r\n')
                if line:
                    yield line


def records(shared, target):
    syslog = [f'{shared}/loghub/*/*_2k.log', f'{shared}/elastic-integrations-samples/*/*.log']
    if target == 'syslog':
        for p in syslog:
            yield from lines(p)
    elif target in ('cef', 'record'):
        import json
        with open(f'{shared}/cef-parser-testcases/cases.jsonl') as f:
            for line in f:
                text = json.loads(line)['input'].encode()
                if target == 'cef':
                    yield text[text.find(b'CEF:') + 4:]
                else:
                    yield b'\x00' + text
        if target == 'record':
            for p in syslog:
                for line in lines(p):
                    yield b'\x00' + line
            for line in lines(f'{shared}/suricata-sample-data/*/alerts-only.eve.jsonl'):
                yield b'\x04' + line
            for line in lines(f'{shared}/zeek-sample-data/zeek-json/*.json'):
                yield b'\x04' + line
    elif target == 'json':
        yield from lines(f'{shared}/suricata-sample-data/*/alerts-only.eve.jsonl')
        yield from lines(f'{shared}/zeek-sample-data/zeek-json/*.json')
        for path in sorted(glob.glob(f'{shared}/sigmahq-sigma/regression_data/**/*.json',
                                     recursive=True)):
            with open(path, 'rb') as f:
                yield f.read()
    elif target == 'kv':
        for line in lines(f'{shared}/elastic-integrations-samples/iptables/*.log'):
            yield b' ' + line
    elif target == 'sigma':
        for path in sorted(glob.glob(f'{shared}/sigmahq-sigma/rules/**/*.yml', recursive=True)):
            with open(path, 'rb') as f:
                yield f.read()
    elif target == 'framer':
        for line in lines(f'{shared}/loghub/OpenSSH/*_2k.log'):
            yield b'\x80\x10' + str(len(line)).encode() + b' ' + line + b'\n' + line + b'\n'


def main():
    shared, target, corpus = sys.argv[1:4]
    count = 0
    for record in records(shared, target):
        if count >= LIMIT:
            break
        name = hashlib.sha1(record).hexdigest()
        with open(os.path.join(corpus, name), 'wb') as f:
            f.write(record)
        count += 1


if __name__ == '__main__':
    main()
