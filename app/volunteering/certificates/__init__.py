"""志愿服务记录证明: a volunteer's record of hours, the certificates issued from it (PDF
with a verification code and QR), their revocation, and the public check by code."""
