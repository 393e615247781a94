#pragma once

#include <QString>

#include <cstdio>

// What every benchmark prints with: whole lines on stdout, flushed at once (a benchmark may be
// watched while it runs, or killed by a watchdog), and fixed-point figures.
namespace ergon::bench {

inline void print(const QString &line)
{
    std::fputs(qUtf8Printable(line), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

inline QString fixed(double value, int decimals = 0)
{
    return QString::number(value, 'f', decimals);
}

} // namespace ergon::bench
