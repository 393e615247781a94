# Strict Qt definitions and warnings shared by every target of the project (STYLE.md §3).
add_library(ergon_compile_options INTERFACE)
target_compile_definitions(ergon_compile_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_KEYWORDS
    QT_NO_FOREACH
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
)
target_compile_options(ergon_compile_options INTERFACE -Wall -Wextra)
if(ERGON_WARNINGS_AS_ERRORS)
    target_compile_options(ergon_compile_options INTERFACE -Werror)
endif()

# ERGON_SANITIZE=address,undefined builds every target of the tree (engine, console, plugins,
# suites) with those sanitizers, for the CI pass that runs the suites under them. A UB report
# stops the program (no recovery), so a suite that trips one fails.
set(ERGON_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined (empty: none)")
if(ERGON_SANITIZE)
    add_compile_options(-fsanitize=${ERGON_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${ERGON_SANITIZE})
endif()
