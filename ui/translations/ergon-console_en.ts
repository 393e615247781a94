<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ConsoleDialogs</name>
    <message>
        <source>Open Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ergon databases (*.db *.sqlite *.sqlite3);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ergon databases (*.db)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open PostgreSQL Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database URL (postgresql://user@host:port/dbname):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot Open Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 stays open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n worker(s) of this console are running, with no flow in progress.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n worker(s) of this console are running %1.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>1 flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit Ergon Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quitting stops them: each finishes the step it is running and hands its flows back to the database, where they wait for the next worker (in this console or `ergon-console worker`). Nothing is lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop Workers and Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No flow is running now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>They are running %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop All Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the worker of this console?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the %1 workers of this console?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each finishes the step it is running (within %1 s) and hands its flows back to the database, where they wait for the next worker. Nothing is lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop 1 Worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop %1 Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget Stopped Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget 1 stopped or lost worker?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget %1 stopped or lost workers?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Their rows and counters are deleted from the database; their flows and the steals they took part in stay. A lost worker that comes back is listed again from its next run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget 1 Worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget %1 Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Flows page: search the flows&lt;/td&gt;&lt;/tr&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td&gt;&lt;b&gt;Esc&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Flows page: clear the search&lt;/td&gt;&lt;/tr&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td&gt;&lt;b&gt;Double-click&lt;/b&gt;&lt;/td&gt;&lt;td&gt;A failure on the Overview: open it on the Flows page&lt;/td&gt;&lt;/tr&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ergon Console — Read Me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The README is not part of this build: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Ergon Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Ergon Console %1&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A durable execution engine and its console.
Built with Qt %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FlowStatusExplainer</name>
    <message>
        <source>in %1 (at %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed in step %1 after %2 %3; Retry failed step runs it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting on timer %1, fires %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting, resumes %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timer %1 fired %2 ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due to resume since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, but no worker is alive to resume it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1; the next worker to look for work resumes it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its lease expired %1 ago; the next worker to look for work takes it over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>another worker takes it over when its lease expires %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>was lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its worker %1 %2 (last heartbeat %3 ago); %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held by %1, whose lease expired %2 ago; the next worker to look for work takes it over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backing off until %1 (in %2): step %3 failed attempt %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retrying step %1 after attempt %2 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prefetched by %1, waiting in its queue for a free slot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running step %1 on %2 for %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (attempt %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running on %1 for %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending, due %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due for %1, but no worker is alive to run it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued for %1 (priority %2), waiting for a free slot on %3 %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No loaded plugin has type %1: only a worker that loads it can run this flow.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a failed flow is retried.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No step failed: the flow&apos;s own code did. A retry runs that code again; it helps only if the workers now load a fixed %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No step failed: the flow&apos;s own code did, after its steps completed. A retry would replay them and run the same code (%1 version %2) again, which fails the same way. Fix the flow type and load it with a new version, then retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No step failed: the flow&apos;s own code did, in version %1; %2 is loaded now at version %3, whose code a retry runs.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> run %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::ArgumentForm</name>
    <message>
        <source>This flow type takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any JSON value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A whole number between %L1 and %L2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not valid JSON: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A JSON object { … } is expected, not %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A JSON array [ … ] is expected, not %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::ConsoleCommands</name>
    <message>
        <source> (%1 of %2 were scheduled before)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled flow %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled %1 flows of %2 (ids %3 to %4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retried</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fired the timer of flow %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fired %1 timers: flows %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> and %1 more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers not forgotten: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forgot 1 stopped worker.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forgot %1 stopped workers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 was alive again and stays.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 were alive again and stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 flow %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 flows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>flow %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Not done for %n flow(s):</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ergon::FailureListModel</name>
    <message>
        <source>Flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::FlowDetailPane</name>
    <message>
        <source>Select a flow to see its steps, arguments and result.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Retry failed step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ca&amp;ncel flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule &amp;Like This…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the flow; a running flow stops at its next step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the Schedule dialog with this flow&apos;s type and arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-queue the flow: its failed step gets a fresh retry budget; completed steps are replayed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading flow %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last read failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flow %1 is not in the database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flow %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>due %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>updated %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished %1 (%2 after creation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>held by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>priority %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>version %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::FlowListController</name>
    <message>
        <source>loading every match to sort…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>more than %L1 match: narrow the filter to sort by %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the database…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%L1 flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%L1 of %L2 flows loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%L1 flows loaded, more below</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last read failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::FlowStepsModel</name>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Durable timer, fires at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of the run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started %1
Finished %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in %2 attempts, %3 from the first start to the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::FlowTableModel</name>
    <message>
        <source>ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::FlowsPage</name>
    <message>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only flows of one status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only flows of one type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search id or arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A flow id, or text found in the flows&apos; arguments (Ctrl+F; Escape clears it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule a Flow…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flows › Schedule… (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start Workers…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers run the flows: start some in this console on the Workers page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry the selected failed flows, each from its failed step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the selected flows that have not finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All statuses (%L1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%L2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry %L1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel %L1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No flows in this database yet.
Schedule one (Ctrl+N), and start workers to run it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No flow matches the filter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the database.
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel Flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel flow %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel %L1 flows?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A cancelled flow runs no further step: a running one stops at its next step or timer. It cannot be resumed or retried.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel Flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel %L1 Flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::MainWindow</name>
    <message>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plugins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counts, queue depth, throughput and the work distribution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every flow: filter, inspect, retry, cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers of this database; start and stop workers here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending durable timers with their countdowns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flow plugins: loaded and failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New Database…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open Database…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open PostgreSQL &amp;Server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F&amp;lows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Schedule…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;Failed Flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh &amp;Rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause Live Updates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Read Me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Ergon Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a postgresql:// URL: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ergon Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — Ergon Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping the workers of this console…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::OverviewPage</name>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue depth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flows per worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No failed flows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completions and failures per second appear from the second reading on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-queue the selected flows from their failed step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click a failure to open it on the Flows page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latest failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending and waiting flows over the last %1 appear here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 flow in the database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 flows in the database</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::PluginsPage</name>
    <message>
        <source>, required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plugin / flow type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plugins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>v%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shadowed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 plugin loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 plugins loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 flow type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 flow types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searched, in order: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::RollingLineChart</name>
    <message>
        <source>Waiting for data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−%1 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::ScheduleDialog</name>
    <message>
        <source>&amp;At:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule Flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
(plugin %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many flows to schedule with these arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The flows are not run before this many seconds from now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Higher runs first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The flows are not run before this time (local)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start at a set time instead of after a delay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduling the same key again schedules nothing new; with a count of N the keys are KEY-1 … KEY-N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flow &amp;type:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arguments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Count:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delay:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or start:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idempotency &amp;key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No flow types: no plugin is loaded. Add plugins and start the console again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a flow type.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduling one %1 flow…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduling %L1 %2 flows…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled %L1 of %L2 flows…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not scheduled: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::SessionSwitcher</name>
    <message>
        <source>not a postgresql:// URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is empty (0 bytes): it is not an Ergon database, and opening it would make it one. Choose File › New Database… to start a new database.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::StatusSummary</name>
    <message>
        <source>no workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no workers alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 worker alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 workers alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · %1 lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>live updates paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refresh every %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View › Refresh rate</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::StepTimeline</name>
    <message>
        <source>%1 — attempt %2
%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timer %1
%2, fires at %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — back-off %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — next attempt at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No steps yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::TimerTableModel</name>
    <message>
        <source>due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fires at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fires in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::TimersPage</name>
    <message>
        <source>Fire now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No flow is waiting on a durable timer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make the selected timers due now: their flows continue at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the first %1 pending timers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 pending timer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 pending timers</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::WorkerLoadChart</name>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No worker has registered with this database yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::WorkerPool</name>
    <message>
        <source>Worker %1 could not start: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worker %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worker %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::WorkerTableModel</name>
    <message>
        <source>stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 runs in this console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No heartbeat for %1 (lease: %2): its flows go to other workers when their leases expire.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concurrency: the flows the worker runs at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steals</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ergon::WorkersPage</name>
    <message>
        <source>Stop selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget Stopped…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No worker has registered with this database yet.
Start workers here, or run “ergon-console worker” on this database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No steals yet: a worker that runs out of work takes prefetched flows from the busiest one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers to start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>× </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> flows at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flows each worker runs at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start workers in this console: each on its own thread with its own connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the selected workers of this console: running flows finish their step and go back to the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop every worker this console runs (asks first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the runs of workers that have stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the rows of stopped and lost workers from the database (asks first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In this console:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent steals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped the worker of this console.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped %1 workers of this console.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1   flow %2 moved from %3 to %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping 1 worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping %1 workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 go back to the queue as each finishes its step…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 running flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 running flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 Worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add %1 (%2 in All)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
