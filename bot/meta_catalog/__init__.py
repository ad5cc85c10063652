"""The shop's products in its Meta (WhatsApp) commerce catalog, kept up to date by incremental
pushes through the Graph API's catalog batch endpoint."""
