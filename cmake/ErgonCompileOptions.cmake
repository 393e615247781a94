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
