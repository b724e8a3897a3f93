# run_smoke.cmake - runs each benchmark binary given after -P for a moment; fails if any fails.
#   cmake -P run_smoke.cmake /path/accel_bench_a /path/accel_bench_b ...
# A benchmark that aborts, cannot start its peers or reports an error fails the test; how fast
# it ran is not looked at.

# CMAKE_ARGV0 is cmake, then -P, then this script: the binaries follow.
math(EXPR last "${CMAKE_ARGC} - 1")
set(count 0)
foreach(i RANGE 3 ${last})
  set(bin "${CMAKE_ARGV${i}}")
  message(STATUS "smoke: ${bin}")
  # 1.7.1 takes a plain number of seconds.
  execute_process(COMMAND "${bin}" --benchmark_min_time=0.01
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR out MATCHES "ERROR OCCURRED" OR err MATCHES "ERROR OCCURRED")
    message(FATAL_ERROR "${bin} failed (${rc}):\n${out}\n${err}")
  endif()
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no benchmark binaries given")
endif()
