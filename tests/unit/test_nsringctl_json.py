#!/usr/bin/python3
# nsringctl's JSON documents (test-nsringctl --emit-json prints one per line) checked by a real
# parser. argv[1]: the test-nsringctl binary.
import json
import subprocess
import sys

out = subprocess.run([sys.argv[1], "--emit-json"], check=True, capture_output=True).stdout
docs = [json.loads(l) for l in out.decode("utf-8").splitlines() if l.strip()]
assert len(docs) > 10, len(docs)
print(len(docs), "documents ok")
