#pragma once

// Engine value types that cross threads in the console by queued signals. Include this header
// wherever such a type is a signal or slot argument of a queued connection.

#include "ergon/flowscheduler.h"

#include <QList>
#include <QMetaType>

Q_DECLARE_METATYPE(ergon::ScheduleRequest)
