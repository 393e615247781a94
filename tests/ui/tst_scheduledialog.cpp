// The Schedule dialog: a form from each bundled flow type's schema (editors, defaults, required
// fields), inline validation messages, the scheduleRequested payload, JSON editors for object,
// array and any fields, and the progress and outcome it shows while the window schedules.

#include "shell/scheduledialog.h"
#include "widgets/argumentform.h"

#include "ergontest.h"

#include <ergon/flowregistry.h>
#include <ergon/limits.h>
#include <ergon/plugincatalog.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using namespace ergon;

namespace {

QString editorText(QWidget *editor)
{
    if (auto *line = qobject_cast<QLineEdit *>(editor))
        return line->text();
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor))
        return QString::number(spin->value());
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
    } else if (auto *check = qobject_cast<QCheckBox *>(editor)) {
        check->setChecked(text == QLatin1String("true"));
    } else if (auto *plain = qobject_cast<QPlainTextEdit *>(editor)) {
        plain->setPlainText(text);
    }
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
                                        << "QLineEdit"
                                        << "3" << true;
        QTest::newRow("Pipeline step_ms") << "demo.Pipeline"
                                          << "step_ms"
                                          << "QLineEdit"
                                          << "0" << true;
        QTest::newRow("Pipeline witness") << "demo.Pipeline"
                                          << "witness"
                                          << "QLineEdit"
                                          << "" << true;
        QTest::newRow("Flaky fail_times") << "demo.Flaky"
                                          << "fail_times"
                                          << "QLineEdit"
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

        ScheduleDialog dialog(m_catalog.registry());
        QVERIFY(dialog.typeBox()->findData(type) >= 0);
        QVERIFY(dialog.setFlowType(type));
        QCOMPARE(dialog.flowType(), type);
        QWidget *editor = dialog.argumentForm()->editor(field);
        QVERIFY(editor);
        QVERIFY2(editor->inherits(editorClass.toLatin1().constData()), editor->metaObject()->className());
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

    void integerEditorTakesOnlyDigits()
    {
        ScheduleDialog dialog(m_catalog.registry());
        QVERIFY(dialog.setFlowType(QStringLiteral("demo.Pipeline")));
        auto *steps = qobject_cast<QLineEdit *>(dialog.argumentForm()->editor(QStringLiteral("steps")));
        QVERIFY(steps);
        steps->clear();
        QTest::keyClicks(steps, QStringLiteral("1a2.5"));
        QCOMPARE(steps->text(), QStringLiteral("125"));
        QVERIFY(dialog.scheduleButton()->isEnabled());
        QCOMPARE(dialog.request()->arguments.value(QStringLiteral("steps")).toInteger(), qint64(125));
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

    void scheduleRequestedCarriesTheForm()
    {
        ScheduleDialog dialog(m_catalog.registry());
        dialog.show();
        QVERIFY(dialog.setFlowType(QStringLiteral("orders.OrderProcessor")));
        enter(dialog.argumentForm()->editor(QStringLiteral("order_id")), QStringLiteral("ORD-7"));
        enter(dialog.argumentForm()->editor(QStringLiteral("amount")), QStringLiteral("12.5"));
        QVERIFY(dialog.scheduleButton()->isEnabled());
        dialog.countBox()->setValue(3);
        dialog.delayBox()->setValue(2.5);
        dialog.priorityBox()->setValue(5);

        QSignalSpy requested(&dialog, &ScheduleDialog::scheduleRequested);
        QTest::mouseClick(dialog.scheduleButton(), Qt::LeftButton);
        QCOMPARE(requested.size(), 1);
        const auto request = requested.first().at(0).value<ScheduleRequest>();
        QCOMPARE(request.type, QStringLiteral("orders.OrderProcessor"));
        QCOMPARE(
            request.arguments,
            (QJsonObject{{QStringLiteral("order_id"), QStringLiteral("ORD-7")}, {QStringLiteral("amount"), 12.5}}));
        QCOMPARE(request.delay, std::chrono::milliseconds(2500));
        QCOMPARE(request.priority, 5);
        QCOMPARE(requested.first().at(1).toInt(), 3);

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
