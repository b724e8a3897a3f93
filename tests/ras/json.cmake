# JSON codec: round trips, malformed input, and schema/ras-v1.schema.json as the independent
# reader (python3-jsonschema through json_independent_reader.py).
accel_add_gtest(ras_json_codec_test SOURCES ras/json_codec_test.cc
  LIBS accel_ras_codec_json accel_ras_sample nlohmann_json::nlohmann_json LABELS ras)
target_compile_definitions(ras_json_codec_test PRIVATE
  ACCEL_PYTHON3="${ACCEL_PYTHON3}"
  ACCEL_RAS_JSON_READER="${CMAKE_CURRENT_SOURCE_DIR}/ras/json_independent_reader.py"
  ACCEL_RAS_JSON_SCHEMA="${PROJECT_SOURCE_DIR}/schema/ras-v1.schema.json")

# The schema itself is a valid Draft 2020-12 schema.
add_test(NAME ras_json_schema_is_valid
  COMMAND ${ACCEL_PYTHON3} -c
    "import json, sys, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))"
    ${PROJECT_SOURCE_DIR}/schema/ras-v1.schema.json)
set_tests_properties(ras_json_schema_is_valid PROPERTIES LABELS ras)
