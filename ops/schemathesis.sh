#!/usr/bin/env bash
# The API against its OpenAPI document (GET /api/v1/openapi.json): openapi-spec-validator checks the served
# document against OpenAPI 3.1's schema, then schemathesis (PyPI, pinned in
# ops/lib/environment.sh, installed into ops/.venv) sends generated requests — valid ones and ones the document
# forbids — to a live `accord demo` (its own PostgreSQL, localstripe and e-conomic sandbox, tenant "demo" with
# data; ops/lib/accord-demo.sh) and fails on a 5xx, a status, content type or body the document does not
# describe, or a request the document forbids that is accepted. Bounded: a fixed seed and
# ACCORD_SCHEMATHESIS_EXAMPLES (default 50) cases per operation. The JUnit report and the demo's log are kept in
# ops/artifacts/schemathesis/. Run by ops/test.sh after `swift test`; alone: `bash ops/schemathesis.sh` (builds
# accord first).
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/lib/environment.sh
source ops/lib/accord-demo.sh

run_schemathesis() {
    # The document as the server serves it, against OpenAPI 3.1's own schema first.
    "$ACCORD_PYTHON" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
        "$ACCORD_URL/api/v1/openapi.json" >ops/artifacts/schemathesis/openapi.json
    "$(dirname "$ACCORD_PYTHON")/openapi-spec-validator" ops/artifacts/schemathesis/openapi.json
    "$(dirname "$ACCORD_PYTHON")/schemathesis" run "$ACCORD_URL/api/v1/openapi.json" --url "$ACCORD_URL" \
        -H "Authorization: Bearer $ACCORD_API_KEY" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
        --phases examples,coverage,fuzzing --max-examples "${ACCORD_SCHEMATHESIS_EXAMPLES:-50}" --seed 20261205 \
        --workers 1 --request-timeout 30 --suppress-health-check too_slow \
        --report junit --report-junit-path ops/artifacts/schemathesis/junit.xml --output-truncate false
}

run_against_accord_demo ops/artifacts/schemathesis run_schemathesis
