from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import PaginationParams, get_pagination
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user, require_admin
from cpv3.modules.billing.schemas import InvoiceCreate, InvoiceRead, InvoiceUpdate
from cpv3.modules.billing.service import InvoiceService

router = APIRouter()


@router.get("/invoices", response_model=list[InvoiceRead])
async def list_invoices(
    pagination: PaginationParams = Depends(get_pagination),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[InvoiceRead]:
    invoices = await InvoiceService(db).list_invoices(
        current_user.id, pagination.limit, pagination.offset
    )
    return list(invoices)


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead)
async def read_invoice(
    invoice_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> InvoiceRead:
    return await InvoiceService(db).get_invoice(invoice_id, current_user.id)


@router.post("/invoices", response_model=InvoiceRead, status_code=status.HTTP_201_CREATED)
async def issue_invoice(
    payload: InvoiceCreate,
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> InvoiceRead:
    return await InvoiceService(db).issue_invoice(payload)


@router.patch("/invoices/{invoice_id}", response_model=InvoiceRead)
async def change_invoice_status(
    invoice_id: uuid.UUID,
    payload: InvoiceUpdate,
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> InvoiceRead:
    return await InvoiceService(db).change_status(invoice_id, payload)
