"""The residents ledger (实有人口): one row a person, keyed by national ID.

National IDs go through the model's checksum and encryption and are never
kept in clear: a row is matched by the number's blind index, or, in an
exported file whose numbers are masked, by the masked number, the address
and the name together. Exports mask the numbers always.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from grids import national_id
from grids.models import Household, Resident
from ledgers.base import ChoiceWidget, LedgerResource, TextWidget, YesNoWidget
from ledgers.models import LedgerEntity


class ResidentResource(LedgerResource):
    """Residents, matched by national ID (or its mask, address and name)."""

    #: the sheet's name in an exported workbook
    sheet_title = "实有人口台账"

    entity = LedgerEntity.RESIDENTS
    headers = {
        "姓名": ["name", "full name"],
        "身份证号": ["id number", "id_number", "national id", "公民身份号码", "身份证"],
        "联系电话": ["phone", "telephone", "mobile", "电话", "手机", "手机号"],
        "标准地址": ["address", "household", "standard address", "地址", "住址"],
        "重点人员": ["key person", "is_key_person", "是否重点人员"],
        "重点人员类别": [
            "key person category",
            "key_person_category",
            "category",
            "类别",
        ],
    }
    required_columns = ["姓名", "身份证号", "标准地址"]
    example = [
        "张三",
        "11010519491231002X",
        "13800138000",
        "城关镇幸福社区建设路1号1单元101室",
        "否",
        "",
    ]
    key_column = "身份证号"
    key_attribute = "id_number"
    resolved_references = ("household",)
    error_columns = {
        "name": "姓名",
        "id_number": "身份证号",
        "phone": "联系电话",
        "household": "标准地址",
        "is_key_person": "重点人员",
        "key_person_category": "重点人员类别",
    }

    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    id_number = fields.Field(column_name="身份证号")
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=TextWidget())
    household = fields.Field(column_name="标准地址")
    is_key_person = fields.Field(
        attribute="is_key_person", column_name="重点人员", widget=YesNoWidget()
    )
    key_person_category = fields.Field(
        attribute="key_person_category",
        column_name="重点人员类别",
        widget=ChoiceWidget(Resident.KeyPersonCategory),
    )

    class Meta:
        model = Resident
        import_id_fields = ("id_number",)
        fields = (
            "name",
            "id_number",
            "phone",
            "household",
            "is_key_person",
            "key_person_category",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        households = Household.objects.in_scope_of(self.user).only("pk", "address")
        self.households = {household.address: household.pk for household in households}
        self.by_hash = {}
        self.by_mask = defaultdict(list)
        residents = (
            self.get_queryset()
            .select_related("household")
            .only(
                "pk",
                "name",
                "id_number_hash",
                "id_number_masked",
                "id_number_encrypted",
                "phone",
                "household_id",
                "household__address",
                "is_key_person",
                "key_person_category",
            )
        )
        for resident in residents:
            resident._stored_phone = resident.phone
            self.by_hash[resident.id_number_hash] = resident
            self.by_mask[
                (resident.id_number_masked, resident.household.address, resident.name)
            ].append(resident)

    def natural_key(self, row: dict) -> str:
        number = TextWidget().clean(row.get("身份证号")).upper()
        if len(number) == 18 and "*" not in number:
            number = national_id.mask(number)  # never kept in clear
        return f"{TextWidget().clean(row.get('姓名'))} {number}".strip()

    def identity(self, row: dict):
        number = TextWidget().clean(row.get("身份证号")).upper()
        if "*" in number:
            return (
                number,
                *(TextWidget().clean(row.get(c)) for c in ("标准地址", "姓名")),
            )
        return national_id.blind_index(number) if number else ""

    def get_instance(self, instance_loader, row):
        number = TextWidget().clean(row.get("身份证号")).upper()
        if "*" in number:
            # An exported file: the masked number, the address and the
            # name together find the resident (an edit keeps the number).
            key = (
                number,
                TextWidget().clean(row.get("标准地址")),
                TextWidget().clean(row.get("姓名")),
            )
            matches = self.by_mask.get(key, [])
            return matches[0] if len(matches) == 1 else None
        try:
            return self.by_hash.get(
                national_id.blind_index(national_id.validate(number))
            )
        except ValidationError:
            return None  # reported by import_instance

    def resolve(self, instance, row: dict, errors: dict) -> None:
        number = TextWidget().clean(row.get("身份证号")).upper()
        if "*" in number:
            if instance.pk is None:
                errors["id_number"] = [
                    _(
                        "A masked number matches no resident at this address "
                        "with this name: give the full number."
                    )
                ]
        else:
            try:
                instance.id_number = number
            except ValidationError as error:
                errors["id_number"] = error.messages
        self.keep_masked_phone(instance, row, errors)
        address = TextWidget().clean(row.get("标准地址"))
        if address not in self.households:
            errors["household"] = [
                _("No household at %(address)s in your scope.") % {"address": address}
            ]
        else:
            instance.household_id = self.households[address]

    @staticmethod
    def values(resident) -> tuple:
        return (
            resident.name,
            resident.id_number_hash,
            resident.phone,
            resident.household_id,
            resident.is_key_person,
            resident.key_person_category,
        )

    def dehydrate_id_number(self, resident):
        return resident.id_number_masked

    def dehydrate_household(self, resident):
        return resident.household.address

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("household")
            .order_by("household__address", "name", "pk")
        )
