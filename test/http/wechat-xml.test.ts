import { describe, expect, it } from 'vitest';
import { buildWechatXml, parseWechatXml, WechatXmlError } from '../../src/http/wechat-xml.ts';

// WeChat's message XML: shapes as WeChat documents them (text, image, an event with a nested
// element, the encrypted envelope), CDATA and plain values alike, and what is refused.

describe('parseWechatXml', () => {
  it('reads a text message, CDATA and plain values alike, keeping a 64-bit MsgId exact', () => {
    const record = parseWechatXml(
      '<xml><ToUserName><![CDATA[gh_123]]></ToUserName>\n<FromUserName><![CDATA[oUser]]></FromUserName>\n' +
        '<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
        '<Content><![CDATA[怎么退款？ <b>急</b> & 谢谢]]></Content><MsgId>4561255354251345929</MsgId></xml>',
    );
    expect(record).toEqual({
      ToUserName: 'gh_123',
      FromUserName: 'oUser',
      CreateTime: '1348831860',
      MsgType: 'text',
      Content: '怎么退款？ <b>急</b> & 谢谢',
      MsgId: '4561255354251345929',
    });
  });

  it('decodes the standard entities outside CDATA and keeps leading zeros', () => {
    expect(parseWechatXml('<xml><A>a &amp; b &lt;c&gt;</A><B>0012</B></xml>')).toEqual({ A: 'a & b <c>', B: '0012' });
  });

  it('flattens a nested element as Parent.Child, and reads the encrypted envelope', () => {
    expect(parseWechatXml('<xml><Event><![CDATA[scancode_push]]></Event><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType></ScanCodeInfo></xml>')).toEqual({
      Event: 'scancode_push',
      'ScanCodeInfo.ScanType': 'qrcode',
    });
    expect(parseWechatXml('<xml><ToUserName><![CDATA[wx1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>')).toEqual({
      ToUserName: 'wx1',
      Encrypt: 'abc+/=',
    });
  });

  it('gives an empty value for an empty element and an empty record for an empty message', () => {
    expect(parseWechatXml('<xml><Content><![CDATA[]]></Content><Url/></xml>')).toEqual({ Content: '', Url: '' });
    expect(parseWechatXml('<xml></xml>')).toEqual({});
  });

  it('refuses what is not a WeChat XML message', () => {
    expect(() => parseWechatXml('hello')).toThrow(WechatXmlError);
    expect(() => parseWechatXml('<xml><A>1</xml>')).toThrow(WechatXmlError);
    expect(() => parseWechatXml('<root><A>1</A></root>')).toThrow(/no <xml> root/);
    expect(() => parseWechatXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>')).toThrow(/DOCTYPE/);
  });
});

describe('buildWechatXml', () => {
  it('writes strings in CDATA and numbers bare, in the order given', () => {
    expect(buildWechatXml({ ToUserName: 'oUser', CreateTime: 1348831860, MsgType: 'text', Content: '你好' })).toBe(
      '<xml><ToUserName><![CDATA[oUser]]></ToUserName><CreateTime>1348831860</CreateTime>' +
        '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>',
    );
  });

  it('round-trips text that contains ]]>, markup and entities', () => {
    const content = 'a ]]> b <xml> &amp; ]]]]> 完';
    expect(parseWechatXml(buildWechatXml({ Content: content, CreateTime: 1 }))).toEqual({ Content: content, CreateTime: '1' });
  });

  it('refuses a name that is not an element name', () => {
    expect(() => buildWechatXml({ 'a b': 'x' })).toThrow(WechatXmlError);
    expect(() => buildWechatXml({ '<x>': 'x' })).toThrow(WechatXmlError);
  });
});
