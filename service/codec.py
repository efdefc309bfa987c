"""Opening sealed Temporal payloads for a reader allowed to see them: the codec endpoint that
Temporal's web UI calls (`web.codec`) to show a workflow's inputs and results in clear.

The payloads hold names and addresses, so only the audit's readers (auditor, secretariat) may
open them; the check is here, in the operation. The console offers no `encode`: the UI cannot
write a sealed payload, so it cannot start or signal a workflow with one either.
"""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.common.v1 import Payload

from client.errors import UserError
from sealing import Keyring, SealError, SealingCodec
from service.accounts import Actor, authorize

MAX_PAYLOADS = 1000


def open_payloads(ring: Keyring, payloads: Sequence[Payload], actor: Actor) -> list[Payload]:
    """Each payload opened (an unsealed one as it is), for an actor who may read the audit."""
    authorize(actor, "audit.read")
    if len(payloads) > MAX_PAYLOADS:
        raise UserError(f"at most {MAX_PAYLOADS} payloads a request, not {len(payloads)}")
    codec = SealingCodec(ring)
    try:
        return [codec.open(p) for p in payloads]
    except SealError as exc:
        raise UserError(str(exc)) from None
