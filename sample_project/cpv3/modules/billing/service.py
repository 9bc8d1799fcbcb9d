from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.modules.billing.models import Invoice
from cpv3.modules.billing.repository import InvoiceRepository
from cpv3.modules.billing.schemas import InvoiceCreate, InvoiceRead, InvoiceUpdate

ERROR_INVOICE_NOT_FOUND = "Invoice not found"
ERROR_INVOICE_CLOSED = "Only open invoices can change status"

INVOICE_NUMBER_PREFIX = "CP"
STATUS_OPEN = "open"
STATUS_PAID = "paid"


class InvoiceService:
    def __init__(self, session: AsyncSession) -> None:
        self._invoices = InvoiceRepository(session)

    async def issue_invoice(self, payload: InvoiceCreate) -> InvoiceRead:
        sequence = await self._invoices.count_all() + 1
        number = f"{INVOICE_NUMBER_PREFIX}-{payload.period_start:%Y%m}-{sequence:06d}"
        invoice = await self._invoices.add(Invoice(number=number, **payload.model_dump()))
        return InvoiceRead.model_validate(invoice)

    async def list_invoices(
        self, owner_id: uuid.UUID, limit: int, offset: int
    ) -> Sequence[InvoiceRead]:
        invoices = await self._invoices.list_for_owner(owner_id, limit, offset)
        return [InvoiceRead.model_validate(invoice) for invoice in invoices]

    async def get_invoice(self, invoice_id: uuid.UUID, owner_id: uuid.UUID) -> InvoiceRead:
        return InvoiceRead.model_validate(await self._get_owned(invoice_id, owner_id))

    async def change_status(self, invoice_id: uuid.UUID, payload: InvoiceUpdate) -> InvoiceRead:
        invoice = await self._invoices.get(invoice_id)
        if invoice is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_INVOICE_NOT_FOUND
            )
        if invoice.status != STATUS_OPEN:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=ERROR_INVOICE_CLOSED)
        values: dict[str, object] = {"status": payload.status}
        if payload.status == STATUS_PAID:
            values["paid_at"] = utcnow()
        return InvoiceRead.model_validate(await self._invoices.update(invoice, values))

    async def _get_owned(self, invoice_id: uuid.UUID, owner_id: uuid.UUID) -> Invoice:
        invoice = await self._invoices.get(invoice_id)
        if invoice is None or invoice.owner_id != owner_id:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_INVOICE_NOT_FOUND
            )
        return invoice
