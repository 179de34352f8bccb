"""The account export streams: its peak memory does not grow with the number of accounts
(issue 13; ./dev bench --only export measures 100,000)."""
import io
import tracemalloc

import pytest
from openpyxl import load_workbook

from baocao.accounts.export import write_accounts_xlsx
from baocao.accounts.models import Account

pytestmark = pytest.mark.django_db


def add_accounts(unit, start, n):
    Account.objects.bulk_create(
        [Account(username=f"MEM{i:06d}", display_name=f"Tài khoản đo bộ nhớ số {i} – Trường THPT", unit=unit, user_group="Đơn vị kiểm kê",
                 password="!") for i in range(start, start + n)],
        batch_size=1000,
    )


def peak_of_export():
    target = io.BytesIO()
    tracemalloc.start()
    try:
        rows = write_accounts_xlsx(Account.objects.all(), target, scope_label="Toàn quốc")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return rows, peak, target


def test_export_peak_memory_is_flat_from_4000_to_16000_accounts(tree):
    add_accounts(tree["T02003002"], 0, 4000)  # both above the 2,000 rows read at a time
    small_rows, small_peak, _ = peak_of_export()
    add_accounts(tree["T02003002"], 4000, 12000)
    rows, peak, target = peak_of_export()
    assert (small_rows, rows) == (4000, 16000)
    # Four times the accounts, less than 1.5 times the memory (the output buffer aside: it is
    # the file itself, written to a temporary file in the view).
    assert peak - target.getbuffer().nbytes < 1.5 * small_peak, (small_peak, peak)
    sheet = load_workbook(io.BytesIO(target.getvalue()), read_only=True).active
    assert sheet.max_row == 16002 and next(sheet.iter_rows(min_row=16002, values_only=True))[1] == "MEM015999"
