"""An SMTP server for development and tests: every message it receives is written, exactly as
received, to its own file in a folder (`<unix ns>-<random>.eml`, written under a temporary
name first, so a reader never sees half a message). Nothing is relayed anywhere.

    /usr/bin/python3 deploy/local/smtp_sink.py HOST PORT FOLDER
"""

import os
import sys
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class ToFolder:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        partial = os.path.join(self.folder, f".{name}.part")
        with open(partial, "wb") as f:
            f.write(envelope.content)
        os.rename(partial, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    host, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(ToFolder(folder), hostname=host, port=port)
    controller.start()
    print(f"SMTP sink on {host}:{port}, writing to {folder}", flush=True)
    # The controller serves on a thread of its own; SIGTERM ends the process.
    threading.Event().wait()


if __name__ == "__main__":
    main()
