"""A small SMTP client that pipelines each mail's commands (RFC 2920) when the server allows.

aiosmtplib waits for the answer to every command: MAIL, RCPT, DATA and the content are four
writes and four round trips per mail, and on a loaded host the sender spent most of its CPU
in those writes and in re-parsing the same addresses for each mail. Here, when the server
offers PIPELINING, a mail is one write and one round trip: its content goes with the next
mail's MAIL+RCPT+DATA (the first mail of a connection sends its commands alone). Without
PIPELINING, one command at a time.

TLS: implicit (smtps://), or STARTTLS when the server offers it; the certificate is always
verified against the context given (the system's CAs in production). With credentials, a
server that does not offer STARTTLS gets nothing past EHLO: they never travel in clear, even
when an attacker strips STARTTLS from the EHLO answer. AUTH PLAIN or LOGIN, over TLS only.
"""

from __future__ import annotations

import asyncio
import base64
import re
import ssl
from dataclasses import dataclass

# A line that starts with a dot gets a second one, so it cannot end the content (RFC 5321).
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)
# RFC 5321 caps a reply line at 512 octets; far past that the peer is not an SMTP server.
_MAX_REPLY_LINE = 65536


class SmtpError(Exception):
    """The server refused (its code and text), or the exchange broke (code 0)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}" if code else text)
        self.code = code


class SmtpNotSupported(SmtpError):
    """The mail needs an extension the server does not offer; the connection stays usable."""

    def __init__(self, text: str) -> None:
        super().__init__(0, text)


@dataclass(frozen=True)
class Reply:
    code: int
    text: str


def wire_content(message: bytes) -> bytes:
    """A message as DATA carries it: CRLF line ends, leading dots doubled, then the end mark."""
    data = _LEADING_DOT.sub(b"..", message.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
    return data + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")


def _address(value: str) -> str:
    if not value or any(char in value for char in "<>\r\n\0"):
        raise SmtpError(0, f"not a mail address: {value[:60]!r}")
    return value


class SmtpConnection:
    """One open SMTP connection, greeted, secured and logged in; mails go one at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        # Received, not yet read as replies: kept here rather than in the reader, so that what
        # came after the STARTTLS answer (and before TLS) is seen and refused.
        self._buffer = bytearray()
        self.extensions: dict[str, str] = {}
        # The recipient whose MAIL, RCPT and DATA were written, their replies not yet read.
        self._announced: str | None = None

    @classmethod
    async def open(
        cls,
        *,
        hostname: str,
        port: int,
        tls: ssl.SSLContext,
        implicit_tls: bool,
        username: str | None,
        password: str | None,
    ) -> SmtpConnection:
        """Connect, greet, secure and log in (the caller bounds it in time); `tls` verifies
        the server's certificate."""
        reader, writer = await asyncio.open_connection(
            hostname, port, ssl=tls if implicit_tls else None
        )
        connection = cls(reader, writer)
        try:
            await connection._expect(220)  # the greeting
            await connection._hello()
            if not implicit_tls and "starttls" in connection.extensions:
                await connection._command("STARTTLS", 220)
                if connection._buffer:  # RFC 3207: anything sent before TLS is discarded
                    raise SmtpError(0, "the server sent more than its STARTTLS answer")
                await writer.start_tls(tls, server_hostname=hostname)
                await connection._hello()
            elif not implicit_tls and username is not None:
                raise SmtpError(0, "no STARTTLS offered: the credentials go over TLS only")
            if username is not None:
                await connection._login(username, password or "")
        except BaseException:
            connection.abort()
            raise
        return connection

    @property
    def is_open(self) -> bool:
        return not self._writer.is_closing()

    async def send(
        self, *, sender: str, recipient: str, message: bytes, then: str | None = None
    ) -> None:
        """Hand one mail over (the caller bounds it in time). Raises SmtpError with the
        server's code when it was refused, the connection staying usable; anything else
        (code 0, a timeout, a reset) leaves the connection in an unknown state: abort it.

        `then`: the recipient of the mail the caller sends next on this connection, if it
        knows: with PIPELINING, that mail's commands go in the same write as this one's
        content (RFC 2920 lets the content open a group), one write per mail."""
        if self._announced is None:
            replies = await self._exchange(self._envelope(sender, recipient))
        elif self._announced == recipient:
            self._announced = None  # its commands left with the previous mail's content
            replies = [await self._reply() for _ in range(3)]
        else:
            raise SmtpError(0, f"{recipient}: not the mail announced ({self._announced})")
        refused = next(
            (r for r, ok in zip(replies, (250, 250, 354), strict=True) if r.code != ok), None
        )
        if refused is None:
            following = self._announcing(sender, then)
            self._writer.write(wire_content(message) + following)
            self._announced = then if following else None
            # The end of the content ends the transaction, taken or not: no RSET.
            last = await self._reply()
            if last.code != 250:
                raise SmtpError(last.code, last.text)
            return
        if replies[-1].code == 354:
            # DATA was accepted after a refused command: close it with empty content.
            self._writer.write(b".\r\n")
            await self._reply()
        else:
            await self._command("RSET", 250)  # back to a clean state for the next mail
        raise SmtpError(refused.code, refused.text)

    def _envelope(self, sender: str, recipient: str) -> tuple[str, str, str]:
        options = ""
        if not recipient.isascii():
            if "smtputf8" not in self.extensions:
                raise SmtpNotSupported(f"{recipient}: the server does not take SMTPUTF8")
            options = " SMTPUTF8"
        return (
            f"MAIL FROM:<{_address(sender)}>{options}",
            f"RCPT TO:<{_address(recipient)}>",
            "DATA",
        )

    def _announcing(self, sender: str, recipient: str | None) -> bytes:
        """The next mail's commands, to write after this one's content; nothing when the
        server does not pipeline or that mail will fail anyway (it then says why itself)."""
        if recipient is None or "pipelining" not in self.extensions:
            return b""
        try:
            return _lines(self._envelope(sender, recipient))
        except SmtpError:
            return b""

    async def _exchange(self, commands: tuple[str, ...]) -> list[Reply]:
        """Each command's reply: written together when pipelining, else one after the other
        (stopping at the first refusal, the rest counting as refused alike)."""
        if "pipelining" in self.extensions:
            self._writer.write(_lines(commands))
            return [await self._reply() for _ in commands]
        replies: list[Reply] = []
        for command in commands:
            self._writer.write(f"{command}\r\n".encode())
            replies.append(await self._reply())
            if replies[-1].code >= 400:
                return replies + [replies[-1]] * (len(commands) - len(replies))
        return replies

    async def quit(self) -> None:
        try:
            self._writer.write(b"QUIT\r\n")
            await self._reply()
            self._writer.close()
            await self._writer.wait_closed()
        finally:
            self.abort()

    def abort(self) -> None:
        self._writer.transport.abort()

    async def _hello(self) -> None:
        self._writer.write(b"EHLO localhost\r\n")
        reply = await self._reply()
        if reply.code != 250:  # an old server: no extensions
            await self._command("HELO localhost", 250)
            self.extensions = {}
            return
        self.extensions = {}
        for line in reply.text.split("\n")[1:]:
            keyword, _, parameters = line.partition(" ")
            self.extensions[keyword.lower()] = parameters

    async def _login(self, username: str, password: str) -> None:
        mechanisms = self.extensions.get("auth", "").upper().split()
        if "PLAIN" in mechanisms:
            token = _b64(f"\0{username}\0{password}")
            await self._command(f"AUTH PLAIN {token}", 235)
        elif "LOGIN" in mechanisms:
            await self._command("AUTH LOGIN", 334)
            await self._command(_b64(username), 334)
            await self._command(_b64(password), 235)
        else:
            raise SmtpError(0, f"no AUTH PLAIN or LOGIN offered ({' '.join(mechanisms)})")

    async def _command(self, command: str, expected: int) -> Reply:
        self._writer.write(f"{command}\r\n".encode())
        return await self._expect(expected)

    async def _expect(self, expected: int) -> Reply:
        reply = await self._reply()
        if reply.code != expected:
            raise SmtpError(reply.code, reply.text)
        return reply

    async def _reply(self) -> Reply:
        """One reply, its continuation lines ("250-...") joined by newlines."""
        lines: list[str] = []
        while True:
            line = await self._line()
            if len(line) < 4 or not line[:3].isdigit():
                raise SmtpError(0, f"not an SMTP reply: {line[:60]!r}")
            lines.append(line[4:].rstrip(b"\r\n").decode(errors="replace"))
            if line[3:4] != b"-":
                return Reply(int(line[:3]), "\n".join(lines))

    async def _line(self) -> bytes:
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > _MAX_REPLY_LINE:
                raise SmtpError(0, "not an SMTP reply: a line without end")
            received = await self._reader.read(_MAX_REPLY_LINE)
            if not received:
                raise SmtpError(0, "the server closed the connection")
            self._buffer += received
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line


def _lines(commands: tuple[str, ...]) -> bytes:
    return "".join(f"{command}\r\n" for command in commands).encode()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
