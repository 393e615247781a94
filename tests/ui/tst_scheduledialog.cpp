// The Schedule dialog: a form from each bundled flow type's schema (editors, defaults, required
// fields), inline validation messages, int fields as spin boxes, what a filled-in form stores
// through the console's commands (count, delay or start time, priority, idempotency key), JSON
// editors for object, array and any fields, the type and arguments remembered or copied from
// another flow, and the progress and outcome it shows while the window schedules.

#include "session/consolecommands.h"
#include "shell/consolesettings.h"
#include "shell/scheduledialog.h"
#include "widgets/argumentform.h"

#include "ergontest.h"

#include <ergon/flowregistry.h>
#include <ergon/limits.h>
#include <ergon/plugincatalog.h>
#include <ergon/sqliteexecutionlog.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace ergon;

namespace {

QString editorText(QWidget *editor)
{
    if (auto *line = qobject_cast<QLineEdit *>(editor))
        return line->text();
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor))
        return QString::number(spin->value());
    if (auto *whole = qobject_cast<QAbstractSpinBox *>(editor)) // an int field's
        return whole->text();
    if (auto *check = qobject_cast<QCheckBox *>(editor))
        return check->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    if (auto *text = qobject_cast<QPlainTextEdit *>(editor))
        return text->toPlainText();
    return QStringLiteral("<unknown editor>");
}

void enter(QWidget *editor, const QString &text)
{
    if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        line->setFocus();
        line->selectAll();
        if (text.isEmpty())
            QTest::keyClick(line, Qt::Key_Backspace);
        else
            QTest::keyClicks(line, text);
    } else if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor)) {
        spin->setValue(text.toDouble());
    } else if (auto *whole = qobject_cast<QAbstractSpinBox *>(editor)) {
        whole->setFocus();
        whole->selectAll();
        if (text.isEmpty())
            QTest::keyClick(whole, Qt::Key_Backspace);
        else
            QTest::keyClicks(whole, text);
    } else if (auto *check = qobject_cast<QCheckBox *>(editor)) {
        check->setChecked(text == QLatin1String("true"));
    } else if (auto *plain = qobject_cast<QPlainTextEdit *>(editor)) {
        plain->setPlainText(text);
    }
}

// Replaces what a spin box shows with typed text, as a person does.
void typeInto(QAbstractSpinBox *box, const QString &text)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Tab); // leaves the field: the value is taken
}

// The label that shows a text, if one does.
bool showsText(const QWidget &window, const QString &text)
{
    const QList<QLabel *> labels = window.findChildren<QLabel *>();
    return std::any_of(labels.cbegin(), labels.cend(),
                       [&text](const QLabel *label) { return label->isVisible() && label->text() == text; });
}

// Chooses a flow type the way a person does with the keyboard: focus the type box, type the
// start of the name.
void chooseType(ScheduleDialog &dialog, const QString &type)
{
    dialog.typeBox()->setFocus();
    QTest::keyClicks(dialog.typeBox(), type);
}

} // namespace

class TestScheduleDialog : public QObject
{
    Q_OBJECT

    PluginCatalog m_catalog;
    FlowRegistry m_everything;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ScheduleRequest>();
        m_catalog.load({QStringLiteral(ERGON_BUNDLED_PLUGIN_DIR)});
        QVERIFY(m_catalog.failedPlugins().isEmpty());
        QVERIFY(m_catalog.registry().types().size() >= 5);

        FlowTypeInfo info;
        info.name = QStringLiteral("test.Everything");
        info.description = QStringLiteral("Every argument type.");
        ArgumentSpec flag{QStringLiteral("flag"), ArgumentSpec::Type::Boolean, QJsonValue(true), false,
                          QStringLiteral("A switch.")};
        ArgumentSpec options{QStringLiteral("options"),
                             ArgumentSpec::Type::Object,
                             QJsonValue(QJsonObject{{QStringLiteral("a"), 1}}),
                             false,
                             {}};
        ArgumentSpec items{QStringLiteral("items"), ArgumentSpec::Type::Array, QJsonValue::Undefined, true, {}};
        ArgumentSpec anything{QStringLiteral("anything"), ArgumentSpec::Type::Any, QJsonValue::Undefined, false, {}};
        ArgumentSpec big{
            QStringLiteral("big"), ArgumentSpec::Type::Integer, QJsonValue(qint64(9007199254740991)), false, {}};
        info.schema = ArgumentSchema({flag, options, items, anything, big});
        ERGON_VERIFY_OK(m_everything.add(info, [](const QJsonObject &) -> Result<std::unique_ptr<Flow>> {
            return Error(QStringLiteral("not run in this test"));
        }));
    }

    void formForEachBundledType_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("editorClass");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("validAtOnce");

        QTest::newRow("Pipeline steps") << "demo.Pipeline"
                                        << "steps"
                                        << "QAbstractSpinBox"
                                        << "3" << true;
        QTest::newRow("Pipeline step_ms") << "demo.Pipeline"
                                          << "step_ms"
                                          << "QAbstractSpinBox"
                                          << "0" << true;
        QTest::newRow("Pipeline witness") << "demo.Pipeline"
                                          << "witness"
                                          << "QLineEdit"
                                          << "" << true;
        QTest::newRow("Flaky fail_times") << "demo.Flaky"
                                          << "fail_times"
                                          << "QAbstractSpinBox"
                                          << "2" << true;
        QTest::newRow("Sleeper seconds") << "demo.Sleeper"
                                         << "seconds"
                                         << "QDoubleSpinBox"
                                         << "1" << true;
        QTest::newRow("Order order_id") << "orders.OrderProcessor"
                                        << "order_id"
                                        << "QLineEdit"
                                        << "" << false;
        QTest::newRow("Order amount") << "orders.OrderProcessor"
                                      << "amount"
                                      << "QDoubleSpinBox"
                                      << "0" << false;
        QTest::newRow("Timed order_id") << "orders.TimedOrderProcessor"
                                        << "order_id"
                                        << "QLineEdit"
                                        << "" << false;
        QTest::newRow("Timed delay_s") << "orders.TimedOrderProcessor"
                                       << "delay_s"
                                       << "QDoubleSpinBox"
                                       << "2" << false;
    }

    void formForEachBundledType()
    {
        QFETCH(QString, type);
        QFETCH(QString, field);
        QFETCH(QString, editorClass);
        QFETCH(QString, value);
        QFETCH(bool, validAtOnce);

        // The type chosen with the keyboard; what shows is that type's description and form.
        ScheduleDialog dialog(m_catalog.registry());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        chooseType(dialog, type);
        QVERIFY2(showsText(dialog, m_catalog.registry().info(type)->description), qPrintable(type));
        QWidget *editor = dialog.argumentForm()->editor(field);
        QVERIFY(editor);
        QTRY_VERIFY(editor->isVisible()); // the form shows new editors once its layout has run
        QCOMPARE(QString::fromLatin1(editor->metaObject()->className()), editorClass);
        QCOMPARE(editorText(editor), value);
        QCOMPARE(dialog.scheduleButton()->isEnabled(), validAtOnce);
        QCOMPARE(dialog.request().ok(), validAtOnce);
        // A required field is not nagged about before it was touched.
        QVERIFY(dialog.argumentForm()->message(field).isEmpty());
    }

    void wrongValueShowsMessage_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("message");

        QTest::newRow("int out of range") << "demo.Pipeline"
                                          << "steps"
                                          << "99999999999999999"
                                          << "A whole number between";
        QTest::newRow("int not a number") << "demo.Flaky"
                                          << "fail_times"
                                          << "-"
                                          << "A whole number between";
        QTest::newRow("required left empty") << "orders.OrderProcessor"
                                             << "order_id"
                                             << ""
                                             << "Required.";
    }

    void wrongValueShowsMessage()
    {
        QFETCH(QString, type);
        QFETCH(QString, field);
        QFETCH(QString, input);
        QFETCH(QString, message);

        ScheduleDialog dialog(m_catalog.registry());
        dialog.show();
        QVERIFY(dialog.setFlowType(type));
        QWidget *editor = dialog.argumentForm()->editor(field);
        QVERIFY(editor);
        enter(editor, QStringLiteral("x")); // touched
        enter(editor, input);
        QVERIFY2(dialog.argumentForm()->message(field).contains(message),
                 qPrintable(dialog.argumentForm()->message(field)));
        QVERIFY(!dialog.scheduleButton()->isEnabled());
        QSignalSpy requested(&dialog, &ScheduleDialog::scheduleRequested);
        dialog.schedule();
        QCOMPARE(requested.size(), 0);
    }

    // An int field is a spin box: digits only, stepped with the arrow keys, any whole number a
    // JSON number holds (past a QSpinBox's 32 bits); an optional one may be left empty.
    void integerFieldsAreSpinBoxes()
    {
        ScheduleDialog dialog(m_catalog.registry());
        dialog.show();
        QVERIFY(dialog.setFlowType(QStringLiteral("demo.Pipeline")));
        auto *steps = qobject_cast<QAbstractSpinBox *>(dialog.argumentForm()->editor(QStringLiteral("steps")));
        QVERIFY(steps);
        steps->setFocus();
        steps->selectAll();
        QTest::keyClicks(steps, QStringLiteral("1a2.5"));
        QCOMPARE(steps->text(), QStringLiteral("125"));
        QTest::keyClick(steps, Qt::Key_Up);
        QCOMPARE(steps->text(), QStringLiteral("126"));
        QTest::keyClick(steps, Qt::Key_Down);
        QTest::keyClick(steps, Qt::Key_Down);
        QVERIFY(dialog.scheduleButton()->isEnabled());
        QCOMPARE(dialog.request()->arguments.value(QStringLiteral("steps")).toInteger(), qint64(124));

        ScheduleDialog everything(m_everything);
        everything.show();
        auto *big = qobject_cast<QAbstractSpinBox *>(everything.argumentForm()->editor(QStringLiteral("big")));
        QVERIFY(big);
        QCOMPARE(big->text(), QStringLiteral("9007199254740991"));
        QTest::keyClick(big, Qt::Key_Up); // the largest already: stays
        QCOMPARE(big->text(), QStringLiteral("9007199254740991"));
        QTest::keyClick(big, Qt::Key_Down);
        QCOMPARE(big->text(), QStringLiteral("9007199254740990"));
        enter(big, QString()); // optional: left empty, the form sends nothing (the scheduler's default applies)
        QCOMPARE(big->text(), QString());
        enter(everything.argumentForm()->editor(QStringLiteral("items")), QStringLiteral("[]"));
        QVERIFY(everything.argumentForm()->arguments().ok());
        QVERIFY(!everything.argumentForm()->arguments()->contains(QStringLiteral("big")));
    }

    // The form's fields take their bounds from the engine (limits.h): the form cannot send what
    // the scheduler would refuse, nor a delay that would wrap on its way to milliseconds.
    void fieldsHaveTheEnginesRanges()
    {
        ScheduleDialog dialog(m_catalog.registry());
        QCOMPARE(dialog.countBox()->minimum(), int(limits::scheduleCount.min));
        QCOMPARE(dialog.countBox()->maximum(), int(limits::scheduleCount.max));
        QCOMPARE(dialog.delayBox()->minimum(), 0.0);
        QCOMPARE(dialog.delayBox()->maximum(), double(limits::delay.max / limits::secondMs));
        QCOMPARE(dialog.priorityBox()->minimum(), int(limits::priority.min));
        QCOMPARE(dialog.priorityBox()->maximum(), int(limits::priority.max));
    }

    // A form filled in with the keyboard and scheduled through the console's commands (as the
    // window does, here on the test's thread): what the database holds is what was typed.
    void whatIsTypedIsWhatIsStored()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("schedule.db"));
        ConsoleCommands commands(
            [path]() -> Result<std::unique_ptr<ExecutionLog>> {
                auto log = SqliteExecutionLog::open(path);
                if (!log)
                    return log.error();
                return std::unique_ptr<ExecutionLog>(log.take());
            },
            m_catalog.registry(), nullptr);
        QSignalSpy scheduled(&commands, &ConsoleCommands::scheduled);
        ScheduleDialog dialog(m_catalog.registry());
        connect(&dialog, &ScheduleDialog::scheduleRequested, &commands, &ConsoleCommands::schedule);
        connect(&commands, &ConsoleCommands::finished, &dialog,
                [&dialog](ConsoleCommands::Command, const QString &summary) { dialog.showFinished(summary); });
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        chooseType(dialog, QStringLiteral("orders.OrderProcessor"));
        enter(dialog.argumentForm()->editor(QStringLiteral("order_id")), QStringLiteral("ORD-7"));
        typeInto(qobject_cast<QAbstractSpinBox *>(dialog.argumentForm()->editor(QStringLiteral("amount"))),
                 QStringLiteral("12.5"));
        typeInto(dialog.countBox(), QStringLiteral("3"));
        typeInto(dialog.delayBox(), QStringLiteral("2.5"));
        typeInto(dialog.priorityBox(), QStringLiteral("5"));
        dialog.keyEdit()->setFocus();
        QTest::keyClicks(dialog.keyEdit(), QStringLiteral("ORD-7"));
        QVERIFY(dialog.scheduleButton()->isEnabled());
        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QCOMPARE(scheduled.size(), 1);
        const auto ids = scheduled.first().first().value<QList<qint64>>();
        QCOMPARE(ids.size(), 3);

        ERGON_TRY(log, SqliteExecutionLog::open(path));
        for (qsizetype i = 0; i < ids.size(); ++i) {
            ERGON_TRY(stored, log->flow(ids.at(i)));
            QVERIFY(stored.has_value());
            QCOMPARE(stored->type, QStringLiteral("orders.OrderProcessor"));
            QCOMPARE(stored->arguments.value(QStringLiteral("order_id")).toString(), QStringLiteral("ORD-7"));
            QCOMPARE(stored->arguments.value(QStringLiteral("amount")).toDouble(), 12.5);
            QCOMPARE(stored->priority, 5);
            QCOMPARE(stored->created.msecsTo(stored->runAt), 2500);
            QCOMPARE(stored->idempotencyKey, QStringLiteral("ORD-7-%1").arg(i + 1)); // as `schedule --key`
        }
        // The same key again: the same flows, nothing new.
        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QCOMPARE(scheduled.size(), 2);
        QCOMPARE(scheduled.last().first().value<QList<qint64>>(), ids);
        QCOMPARE(log->countByStatus()->value(FlowStatus::Pending), 3);

        // A start time instead of the delay: ticked, the delay no longer applies.
        QVERIFY(!dialog.startAtEdit()->isEnabled());
        QTest::mouseClick(dialog.startAtBox(), Qt::LeftButton);
        QVERIFY(dialog.startAtEdit()->isEnabled());
        QVERIFY(!dialog.delayBox()->isEnabled());
        dialog.startAtEdit()->setFocus();
        dialog.startAtEdit()->setSelectedSection(QDateTimeEdit::YearSection);
        QTest::keyClicks(dialog.startAtEdit(), QStringLiteral("2031"));
        QTest::keyClick(dialog.startAtEdit(), Qt::Key_Tab);
        const QDateTime startAt = dialog.startAtEdit()->dateTime();
        QCOMPARE(startAt.date().year(), 2031);
        dialog.keyEdit()->clear();
        typeInto(dialog.countBox(), QStringLiteral("1"));
        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QCOMPARE(scheduled.size(), 3);
        ERGON_TRY(later, log->flow(scheduled.last().first().value<QList<qint64>>().first()));
        QVERIFY(later.has_value());
        QCOMPARE(later->runAt, startAt.toUTC());
        QVERIFY(later->idempotencyKey.isEmpty());
    }

    void busyUntilTheWindowReportsBack()
    {
        ScheduleDialog dialog(m_catalog.registry());
        dialog.show();
        QVERIFY(dialog.setFlowType(QStringLiteral("demo.Flaky")));
        dialog.countBox()->setValue(3);
        QSignalSpy requested(&dialog, &ScheduleDialog::scheduleRequested);
        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QCOMPARE(requested.size(), 1);

        // Busy until the window reports back; a second click does nothing.
        QVERIFY(dialog.isBusy());
        QVERIFY(!dialog.scheduleButton()->isEnabled());
        dialog.schedule();
        QCOMPARE(requested.size(), 1);
        dialog.showProgress(1, 3);
        QVERIFY(dialog.progressBar()->isVisible());
        QCOMPARE(dialog.progressBar()->value(), 1);
        QCOMPARE(dialog.progressBar()->maximum(), 3);
        dialog.showFinished(QStringLiteral("Scheduled 3 flows (#1 … #3)."));
        QVERIFY(!dialog.isBusy());
        QVERIFY(!dialog.progressBar()->isVisible());
        QVERIFY(dialog.scheduleButton()->isEnabled());
        QCOMPARE(dialog.statusText(), QStringLiteral("Scheduled 3 flows (#1 … #3)."));
        QVERIFY(dialog.isVisible()); // ready to schedule more

        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QCOMPARE(requested.size(), 2);
        dialog.showFailed(QStringLiteral("database is locked"));
        QVERIFY(dialog.statusText().contains(QLatin1String("database is locked")));
        QVERIFY(dialog.scheduleButton()->isEnabled());
    }

    // Defect 12: the fields stay where they are when the status line or the progress bar
    // appears, so that a click aimed at Count lands on Count.
    void fieldsDoNotMoveWhenTheStatusShows()
    {
        ScheduleDialog dialog(m_catalog.registry());
        QVERIFY(dialog.setFlowType(QStringLiteral("demo.Flaky")));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // The form fits itself once its editors are laid out (a queued call after the show):
        // measure the dialog as a person first sees it, once that has run.
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        const auto where = [&dialog](QWidget *field) {
            return QRect(field->mapTo(&dialog, QPoint(0, 0)), field->size());
        };
        QWidget *firstArgument = dialog.argumentForm()->editor(QStringLiteral("fail_times"));
        QVERIFY(firstArgument);
        const QRect count = where(dialog.countBox());
        const QRect priority = where(dialog.priorityBox());
        const QRect argument = where(firstArgument);
        const QRect button = where(dialog.scheduleButton());

        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QVERIFY(dialog.isBusy());
        dialog.showProgress(1, 3);
        QCoreApplication::processEvents();
        QCOMPARE(where(dialog.countBox()), count);
        dialog.showFailed(QStringLiteral("The database is locked by another process; nothing was scheduled."));
        QCoreApplication::processEvents();
        QVERIFY(!dialog.statusText().isEmpty());
        QCOMPARE(where(dialog.countBox()), count);
        QCOMPARE(where(dialog.priorityBox()), priority);
        QCOMPARE(where(firstArgument), argument);
        QCOMPARE(where(dialog.scheduleButton()), button);

        // The click meant for Count reaches Count.
        QTest::mouseClick(dialog.countBox(), Qt::LeftButton, {}, dialog.countBox()->rect().center());
        QVERIFY(dialog.countBox()->hasFocus());
    }

    void defaultsAreSentFilledIn()
    {
        ScheduleDialog dialog(m_catalog.registry());
        QVERIFY(dialog.setFlowType(QStringLiteral("demo.Flaky")));
        QSignalSpy requested(&dialog, &ScheduleDialog::scheduleRequested);
        dialog.schedule();
        QCOMPARE(requested.size(), 1);
        const auto request = requested.first().at(0).value<ScheduleRequest>();
        QCOMPARE(request.arguments, (QJsonObject{{QStringLiteral("fail_times"), 2}}));
        QCOMPARE(request.delay, std::chrono::milliseconds(0));
        QCOMPARE(requested.first().at(1).toInt(), 1);
    }

    void jsonEditorsForObjectArrayAndAny()
    {
        ScheduleDialog dialog(m_everything);
        dialog.show();
        QCOMPARE(dialog.flowType(), QStringLiteral("test.Everything"));
        ArgumentForm *form = dialog.argumentForm();
        QVERIFY(qobject_cast<QCheckBox *>(form->editor(QStringLiteral("flag"))));
        QCOMPARE(editorText(form->editor(QStringLiteral("flag"))), QStringLiteral("true"));
        QVERIFY(qobject_cast<QPlainTextEdit *>(form->editor(QStringLiteral("options"))));
        QVERIFY(editorText(form->editor(QStringLiteral("options"))).contains(QLatin1String("\"a\": 1")));
        QCOMPARE(editorText(form->editor(QStringLiteral("big"))), QStringLiteral("9007199254740991"));
        QVERIFY(!dialog.scheduleButton()->isEnabled()); // items is required

        enter(form->editor(QStringLiteral("items")), QStringLiteral("[1, 2"));
        QVERIFY(form->message(QStringLiteral("items")).contains(QLatin1String("Not valid JSON")));
        enter(form->editor(QStringLiteral("items")), QStringLiteral("{\"x\": 1}"));
        QVERIFY(form->message(QStringLiteral("items")).contains(QLatin1String("JSON array")));
        enter(form->editor(QStringLiteral("items")), QStringLiteral("[1, \"two\"]"));
        QVERIFY(form->message(QStringLiteral("items")).isEmpty());
        enter(form->editor(QStringLiteral("anything")), QStringLiteral("\"text\""));
        enter(form->editor(QStringLiteral("flag")), QStringLiteral("false"));
        QVERIFY(dialog.scheduleButton()->isEnabled());

        QSignalSpy requested(&dialog, &ScheduleDialog::scheduleRequested);
        dialog.schedule();
        QCOMPARE(requested.size(), 1);
        const auto request = requested.first().at(0).value<ScheduleRequest>();
        QCOMPARE(request.arguments.value(QStringLiteral("items")).toArray(), (QJsonArray{1, QStringLiteral("two")}));
        QCOMPARE(request.arguments.value(QStringLiteral("anything")).toString(), QStringLiteral("text"));
        QCOMPARE(request.arguments.value(QStringLiteral("flag")).toBool(), false);
        QCOMPARE(request.arguments.value(QStringLiteral("options")).toObject(),
                 (QJsonObject{{QStringLiteral("a"), 1}}));
        QCOMPARE(request.arguments.value(QStringLiteral("big")).toInteger(), qint64(9007199254740991));
    }

    // The type and arguments scheduled last come back when the dialog opens next; Schedule
    // Like This fills in another flow's; a type no plugin has any more is left out.
    void remembersTheLastAndCopiesAnother()
    {
        ConsoleSettings settings(false);
        {
            ScheduleDialog first(m_catalog.registry());
            first.setSettings(&settings);
            first.show();
            chooseType(first, QStringLiteral("demo.Pipeline")); // not the first type: a choice
            enter(first.argumentForm()->editor(QStringLiteral("steps")), QStringLiteral("7"));
            QTest::mouseClick(first.scheduleButton(), Qt::LeftButton);
        }
        ScheduleDialog next(m_catalog.registry());
        next.setSettings(&settings);
        next.show();
        QVERIFY(showsText(next, m_catalog.registry().info(QStringLiteral("demo.Pipeline"))->description));
        QCOMPARE(editorText(next.argumentForm()->editor(QStringLiteral("steps"))), QStringLiteral("7"));

        QVERIFY(
            next.prefill(QStringLiteral("orders.OrderProcessor"),
                         {{QStringLiteral("order_id"), QStringLiteral("ORD-9")}, {QStringLiteral("amount"), 3.25}}));
        QVERIFY(showsText(next, m_catalog.registry().info(QStringLiteral("orders.OrderProcessor"))->description));
        QCOMPARE(editorText(next.argumentForm()->editor(QStringLiteral("order_id"))), QStringLiteral("ORD-9"));
        QCOMPARE(editorText(next.argumentForm()->editor(QStringLiteral("amount"))), QStringLiteral("3.25"));
        QVERIFY(next.scheduleButton()->isEnabled());
        QVERIFY(!next.prefill(QStringLiteral("gone.Type"), {}));

        settings.setLastSchedule({QStringLiteral("gone.Type"), {}});
        ScheduleDialog stale(m_catalog.registry());
        stale.setSettings(&settings);
        QVERIFY(m_catalog.registry().contains(stale.flowType())); // the first type, as with no settings
    }

    void emptyRegistry()
    {
        FlowRegistry empty;
        ScheduleDialog dialog(empty);
        QVERIFY(!dialog.scheduleButton()->isEnabled());
        QVERIFY(!dialog.request().ok());
    }
};

QTEST_MAIN(TestScheduleDialog)
#include "tst_scheduledialog.moc"
