import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dingtalkSign, signedUrl } from '../../relay/dingtalk-sign';

// Computed outside Vigil with DingTalk's documented Python example (hmac, hashlib.sha256, base64,
// urllib.parse.quote_plus) for timestamp 1700000000000 and secret "SECtest0123456789abcdef".
const VECTOR = { timestamp: 1_700_000_000_000, secret: 'SECtest0123456789abcdef', sign: '%2FlfnxUUu80FwVTsIlv2F1cMGBb%2BPxEKAwYh%2FbsRxXcc%3D' };

test('the DingTalk signature matches a vector computed with the documented algorithm', () => {
  assert.equal(dingtalkSign(VECTOR.timestamp, VECTOR.secret), VECTOR.sign);
});

test('the signature changes with the timestamp and the secret', () => {
  assert.notEqual(dingtalkSign(VECTOR.timestamp + 1, VECTOR.secret), VECTOR.sign);
  assert.notEqual(dingtalkSign(VECTOR.timestamp, `${VECTOR.secret}x`), VECTOR.sign);
});

test('the signed URL keeps the access token and adds timestamp and sign', () => {
  const url = signedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', VECTOR.secret, VECTOR.timestamp);
  assert.equal(url, `https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=${VECTOR.timestamp}&sign=${VECTOR.sign}`);
  const parsed = new URL(url);
  assert.equal(parsed.searchParams.get('sign'), decodeURIComponent(VECTOR.sign));
  assert.equal(signedUrl('https://robot.example/send', undefined, VECTOR.timestamp), 'https://robot.example/send');
});
