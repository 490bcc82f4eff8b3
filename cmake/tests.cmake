# Test registration (ctest). Every file that follows a naming convention is
# picked up, so adding a test never means editing this file:
#   tests/c/test_*.c      cmocka suites linked against unentropy_core
#   tests/lua/test_*.lua  Lua suites run inside the real binary
#   tests/cli/test_*.sh   end-to-end shell tests against the binary
# plus a syntax gate (luac -p) over every Lua file in the repository.
set(UNENTROPY_BIN $<TARGET_FILE:unentropy>)
set(TEST_ENV "UNENTROPY=${UNENTROPY_BIN}" "SRC=${CMAKE_SOURCE_DIR}" "NO_COLOR=1"
  "UNENTROPY_LUA_DIR=" "UNENTROPY_TEMPLATES_DIR=")

if(CMOCKA_FOUND)
  file(GLOB C_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/c/test_*.c)
  foreach(src IN LISTS C_TESTS)
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_include_directories(${name} PRIVATE ${CMOCKA_INCLUDE_DIRS})
    target_link_libraries(${name} PRIVATE unentropy_core ${CMOCKA_LIBRARIES})
    add_test(NAME c_${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(c_${name} PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 300)
  endforeach()
endif()

file(GLOB LUA_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/lua/test_*.lua)
foreach(src IN LISTS LUA_TESTS)
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME lua_${name}
    COMMAND unentropy run ${CMAKE_SOURCE_DIR}/tests/lua/run.lua ${src}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(lua_${name} PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 300)
endforeach()

file(GLOB CLI_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/cli/test_*.sh)
foreach(src IN LISTS CLI_TESTS)
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME cli_${name} COMMAND bash ${src} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(cli_${name} PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 600)
endforeach()

find_program(LUAC NAMES luac5.4 luac)
if(LUAC)
  add_test(NAME lua_syntax
    COMMAND sh -c "find lua tests templates config bench docs -name '*.lua' -print0 2>/dev/null | xargs -0 -r -n1 ${LUAC} -p"
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()
