"""The Slack side: lead cards and the outbox dispatcher, coordinators' actions (slack-bolt),
App Home and `/madoguchi`.

- `card`, `views`, `actions`: pure Block Kit rendering and payload translation
- `desk`: what an action does to a case (one unit of work each)
- `dispatcher`, `sinks`: delivering outbox events to Slack, Telegram or stdout
- `app`, `http`, `runner`: the bolt app and its transports (HTTP or Socket Mode)
"""
