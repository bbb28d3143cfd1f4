"""The 项目支出绩效自评表 (form kind ``self``)."""
