// The counter's manual (操作手册, #77): VitePress, built into the app's own assets under
// manual/ (scripts/manual.sh), opened by F1 in a window of the app, offline. Pictures are the
// end-to-end run's screenshots (public/shots, checked by check.mjs); the app's messages are
// quoted from its own locale file (theme/Msg.vue).
import { defineConfig } from 'vitepress'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  lang: 'zh-CN',
  title: '证书受理台 操作手册',
  description: '证书受理台（certdesk）受理员、复核员、制证员和管理员的操作手册',
  base: '/manual/',
  outDir: process.env.CERTDESK_MANUAL_OUT ?? fileURLToPath(new URL('../../../ui/dist/manual', import.meta.url)),
  srcExclude: ['README.md'],
  cleanUrls: false,
  appearance: false,
  lastUpdated: false,
  // nothing is fetched from the network: no web fonts, no analytics, the search built in
  themeConfig: {
    siteTitle: '证书受理台 操作手册',
    nav: [{ text: '首页', link: '/' }],
    sidebar: [
      { text: '开始', items: [{ text: '手册说明与角色', link: '/' }] },
      { text: '受理员', items: [{ text: '单位及员工证书一次办理', link: '/clerk/unit-order' }, { text: '邮寄件与到账核对', link: '/clerk/posted-case' }, { text: '老客户：原证书Key与在案材料', link: '/clerk/returning-unit' }, { text: '退回的案件', link: '/clerk/returned-case' }, { text: '打印申请表与导入印章采集表', link: '/clerk/forms-and-seal' }, { text: '补办（Key遗失或损坏）', link: '/clerk/reissue' }] },
      { text: '复核员', items: [{ text: '复核', link: '/supervisor/review' }, { text: 'USB Key登录、签名复核与锁屏', link: '/supervisor/usb-key' }, { text: '日报与日结', link: '/supervisor/day-close' }] },
      { text: '制证员', items: [{ text: '批量制作USB Key', link: '/key-clerk/batch' }, { text: 'Key解锁（重设PIN）', link: '/key-clerk/unlock' }, { text: '离线送CA与插错Key', link: '/key-clerk/offline' }, { text: 'SM2双证书', link: '/key-clerk/dual-sm2' }] },
      { text: '管理员', items: [{ text: '首次使用与日常管理', link: '/admin/first-day' }, { text: '账号与员工USB Key登记', link: '/admin/accounts' }, { text: '身份证阅读器与USB Key驱动', link: '/admin/drivers' }, { text: '在线签发（RA/SCEP）', link: '/admin/online' }, { text: '备份、恢复与保存期限', link: '/admin/backup' }, { text: '迁移到大厅（PostgreSQL）', link: '/admin/hall' }] },
    ],
    outline: { level: [2, 3], label: '本页内容' },
    docFooter: { prev: '上一篇', next: '下一篇' },
    sidebarMenuLabel: '目录',
    returnToTopLabel: '回到顶部',
    search: {
      provider: 'local',
      options: {
        translations: {
          button: { buttonText: '搜索手册', buttonAriaLabel: '搜索手册' },
          modal: { noResultsText: '没有找到', resetButtonTitle: '清除', footer: { selectText: '打开', navigateText: '上下移动', closeText: '关闭' } },
        },
      },
    },
  },
})
