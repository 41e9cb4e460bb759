"""Documents (文书), attachments and the archived case file (案卷)."""

from marshmallow import Schema, fields, validate


class DocumentOut(Schema):
    id = fields.Int(required=True)
    case_id = fields.Int(required=True)
    doc_type = fields.Str(required=True, metadata={"description": "文书类型（文号按类型、年度连续编号）"})
    name = fields.Str(required=True, metadata={"description": "文书名称，如 函询通知书"})
    number = fields.Str(required=True, metadata={"description": "文号，如 高纪函〔2026〕12号"})
    title = fields.Str(required=True)
    task_bpmn_id = fields.Str(required=True, metadata={"description": "产生本文书的步骤"})
    task_title = fields.Str(required=True)
    created_at = fields.DateTime(required=True)
    created_by_name = fields.Str(required=True)
    cancelled = fields.Function(lambda d: d.cancelled_at is not None, required=True,
                                metadata={"description": "已作废（文号保留，不再使用）"})
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.Str(required=True)


class FormatArgs(Schema):
    format = fields.Str(load_default="pdf", validate=validate.OneOf(["pdf", "docx", "zip"]),
                        metadata={"description": "文书：pdf 或 docx；案卷：pdf 或 zip"})


class AttachmentUploadIn(Schema):
    task_id = fields.Str(load_default=None, validate=validate.Length(max=64))


class AttachmentFileIn(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class AttachmentOut(Schema):
    id = fields.Int(required=True)
    case_id = fields.Int(required=True)
    task_id = fields.Str(allow_none=True)
    task_title = fields.Str(required=True)
    filename = fields.Str(required=True)
    content_type = fields.Str(required=True)
    kind = fields.Str(required=True, metadata={"description": "按内容识别的类型：pdf、image、office、audio、text"})
    size = fields.Int(required=True)
    sha256 = fields.Str(required=True)
    uploaded_at = fields.DateTime(required=True)
    uploaded_by_name = fields.Str(required=True)


class ArchiveOut(Schema):
    case_id = fields.Int(required=True)
    archive_no = fields.Str(required=True, metadata={"description": "归档号（案卷号）"})
    retention = fields.Str(required=True, metadata={"description": "保管期限"})
    archived_at = fields.DateTime(required=True)
    archived_by_name = fields.Str(required=True)
    manifest_sha256 = fields.Str(required=True)
    audit_last_hash = fields.Str(required=True)
