"""Account requests (letter 003, 4.3): a unit's approver asks for a new account for a role,
or for an account to be revoked; an administrator of the unit's scope approves (which
carries the change out) or rejects with a comment."""
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.access.models import RoleGrant
from baocao.audit.services import record
from baocao.dbtext import iexact

from . import administration, grants
from .models import Account, AccountRequest
from .services import default_password_hash


def _active_roles(unit):
    """{role: how many of the unit's active accounts hold it at the unit itself}."""
    rows = RoleGrant.objects.filter(account__unit=unit, account__is_active=True, unit=unit).values_list("role", flat=True)
    return Counter(rows)


def requestable_roles(unit):
    """Roles a unit may ask a new account for: the regime's account scheme gives one account
    per template of its kind by default (tuphap: _bc, _kt, _ld; kiemke: one), and a unit
    may ask for more, for new users ("cấp mới", letter 003, 4.3), up to the regime's
    `accounts_per_role` active accounts per role ({code}_bc2, _bc3…)."""
    regime = regimes.current()
    held = _active_roles(unit)
    scheme = dict.fromkeys(role for t in regime.account_templates(unit.kind) for role in t.roles)
    return [role for role in scheme if held[role] < regime.accounts_per_role]


def revocable_accounts(actor):
    """Accounts the actor's unit may ask to revoke: its other active accounts (never the
    filer's own account, so a unit with one account cannot lock itself out)."""
    return Account.objects.filter(unit=actor.unit, is_active=True).exclude(pk=actor.pk).order_by("username")


def may_file(actor):
    """A unit's leader files its requests (letter 003, 4.3); an administrator who decides
    its own unit's requests creates and revokes accounts directly instead."""
    if not policy.may(actor, permissions.ACCOUNT_REQUEST_FILE, actor.unit, relation=policy.OWN):
        return False
    return not policy.may(actor, permissions.ACCOUNT_REQUEST_DECIDE, actor.unit)


def has_offers(actor):
    """Whether the account scheme leaves anything to request (a role to replace or an
    account to revoke)."""
    return bool(requestable_roles(actor.unit)) or revocable_accounts(actor).exists()


def file_request(actor, *, kind, reason, role="", target=None, letter_number="", letter_date=None, request=None):
    unit = actor.unit
    policy.require(actor, permissions.ACCOUNT_REQUEST_FILE, unit, relation=policy.OWN, note="account request")
    if policy.may(actor, permissions.ACCOUNT_REQUEST_DECIDE, unit):
        raise ValidationError(_("Quản trị viên cấp, thu hồi tài khoản của đơn vị mình tại trang Quản lý người dùng, không gửi đề nghị."))
    errors = []
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do"))
    if not reason.strip():
        errors.append(_("Cần nêu lý do đề nghị."))
    letter_number = (letter_number or "").strip()
    if not letter_number:
        errors.append(_("Cần ghi số văn bản đề nghị (Quy chế 2626, Điều 3 khoản 8)."))
    elif len(letter_number) > 60:
        errors.append(_("Số văn bản đề nghị dài quá 60 ký tự."))
    if letter_date is None:
        errors.append(_("Cần ghi ngày văn bản đề nghị (dd/mm/yyyy)."))
    elif letter_date > timezone.localdate():
        errors.append(_("Ngày văn bản đề nghị không được sau ngày hôm nay."))
    if kind == AccountRequest.Kind.NEW:
        if role not in requestable_roles(unit):
            errors.append(_("Vai trò này không thể đề nghị cấp thêm tài khoản: đơn vị đã có đủ %(n)d tài khoản cho vai trò đó.")
                          % {"n": regimes.current().accounts_per_role})
        target = None
    elif kind == AccountRequest.Kind.REVOKE:
        if target is None:
            errors.append(_("Chọn tài khoản cần thu hồi."))
        elif target.unit_id != unit.pk:
            raise policy.Refused(_("Chỉ được đề nghị thu hồi tài khoản của đơn vị mình."), unit=target.unit,
                                 permission=permissions.ACCOUNT_REQUEST_FILE, note="revoke request for another unit")
        elif not target.is_active:
            errors.append(_("Tài khoản này đã bị thu hồi."))
        elif target.pk == actor.pk:
            errors.append(_("Không thể đề nghị thu hồi chính tài khoản đang dùng."))
        role = ""
    else:
        errors.append(_("Loại đề nghị không hợp lệ."))
    if errors:
        raise ValidationError(errors)
    duplicate = AccountRequest.objects.filter(unit=unit, kind=kind, role=role, target=target, status=AccountRequest.Status.PENDING)
    if duplicate.exists():
        raise ValidationError(_("Đã có một đề nghị giống vậy đang chờ xử lý."))
    with transaction.atomic():
        account_request = AccountRequest.objects.create(
            unit=unit, kind=kind, role=role, target=target, reason=reason.strip(), requested_by=actor,
            letter_number=letter_number, letter_date=letter_date,
        )
        record(
            "account_request.filed",
            actor=actor,
            request=request,
            unit=unit,
            obj=account_request,
            after={"kind": kind, "role": role, "target": target.username if target else "",
                   "letter_number": letter_number, "letter_date": letter_date.strftime("%d/%m/%Y")},
        )
    return account_request


def pending_for(actor):
    """Requests an administrator may decide."""
    return AccountRequest.objects.filter(policy.scope(actor, permissions.ACCOUNT_REQUEST_DECIDE).q(path="unit__path", pk="unit_id"))


def _new_username(unit, role):
    """The regime's username for `role` at `unit`, numbered (…_bc2) if it is taken."""
    regime = regimes.current()
    template = next((t for t in regime.account_templates(unit.kind) if role in t.roles), None)
    base = template.username_for(unit) if template else f"{unit.code}_{role}"
    username, n = base, 1
    while Account.objects.filter(iexact("username", username)).exists():
        n += 1
        username = f"{base}{n}"
    return username, template


def _require_grantable(actor, unit, role):
    """A request is approved only for a role the regime's account scheme gives this kind of
    unit, and never one carrying an administration right the decider does not hold itself
    (docs/security.md): a unit's leader cannot obtain an administrator's account this way."""
    regime = regimes.current()
    offered = {r for template in regime.account_templates(unit.kind) for r in template.roles}
    if role not in offered:
        raise ValidationError(_("Vai trò “%(role)s” không được cấp cho loại đơn vị này.") % {"role": regime.role_labels.get(role, role)})
    if actor is None or role not in regime.roles:
        return
    mine = frozenset().union(*(g.permissions for g in policy.grants_of(actor)))
    beyond = (regime.roles[role].permissions & set(permissions.ADMINISTRATION)) - mine
    if beyond:
        raise ValidationError(_("Bạn không được cấp vai trò có quyền quản trị vượt quá quyền của mình: %(role)s.")
                              % {"role": regime.role_labels.get(role, role)})


def decide(actor, account_request, *, approve, comment="", request=None):
    """Approve (carrying the change out) or reject a pending request, in one transaction."""
    policy.require(actor, permissions.ACCOUNT_REQUEST_DECIDE, account_request.unit, note="decide account request")
    with transaction.atomic():
        return _decide(actor, account_request, approve, comment, request)


def _decide(actor, account_request, approve, comment, request):
    account_request = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if account_request.status != AccountRequest.Status.PENDING:
        raise ValidationError(_("Đề nghị này đã được xử lý."))
    comment = textbounds.bounded(comment, textbounds.REASON, _("Ý kiến"))
    if not approve and not comment:
        raise ValidationError(_("Cần nêu lý do từ chối."))
    if approve and account_request.kind == AccountRequest.Kind.NEW:
        unit = account_request.unit
        _require_grantable(actor, unit, account_request.role)
        username, template = _new_username(unit, account_request.role)
        label = regimes.current().role_labels.get(account_request.role, account_request.role)
        account = Account(
            username=username,
            display_name=f"{unit.name} - {label}"[:300],
            unit=unit,
            user_group=template.group if template else label,
            password=default_password_hash(),
            must_change_password=True,
        )
        account.save()
        grants.set_roles(account, [account_request.role])
        account_request.result_account = account
        record("account.created", actor=actor, request=request, unit=unit, obj=account, after={"username": username, "roles": [account_request.role]})
    elif approve:
        administration.revoke(
            actor,
            account_request.target,
            reason=account_request.reason,
            reference=_("Đề nghị số %(id)d") % {"id": account_request.pk},
            request=request,
        )
    account_request.status = AccountRequest.Status.APPROVED if approve else AccountRequest.Status.REJECTED
    account_request.decided_by = actor
    account_request.decided_at = timezone.now()
    account_request.decision_comment = comment.strip()
    account_request.save()
    record(
        "account_request.approved" if approve else "account_request.rejected",
        actor=actor,
        request=request,
        unit=account_request.unit,
        obj=account_request,
        after={"comment": account_request.decision_comment, "result": account_request.result_account.username if account_request.result_account else ""},
    )
    return account_request
