/**
 * Inputs of the demo generator. The demo province is Zhejiang (33); city coordinates are the
 * approximate positions of each city's government seat (rounded to 0.01°, public maps), used
 * only to scatter demo units plausibly.
 */
export const DEMO_PROVINCE = { code: '33', name: '浙江省' };

export const DEMO_CITY_CENTRES: Record<string, [number, number]> = {
  '3301': [120.15, 30.28],
  '3302': [121.55, 29.87],
  '3303': [120.7, 28.0],
  '3304': [120.75, 30.75],
  '3305': [120.09, 30.89],
  '3306': [120.58, 30.03],
  '3307': [119.65, 29.08],
  '3308': [118.87, 28.94],
  '3309': [122.21, 29.99],
  '3310': [121.42, 28.66],
  '3311': [119.92, 28.45],
};

/**
 * Real GB/T 4754-2017 classes common among permitted sources, with a relative weight and the
 * word a company name would carry. The generator checks each code against the reference table.
 */
export const DEMO_INDUSTRIES: { code: string; weight: number; word: string; category: [number, number, number] }[] = [
  { code: '4411', weight: 2, word: '热电', category: [0.9, 0.1, 0] },
  { code: '4412', weight: 2, word: '热电联产', category: [0.9, 0.1, 0] },
  { code: '4620', weight: 5, word: '水务', category: [0.7, 0.3, 0] },
  { code: '3011', weight: 2, word: '水泥', category: [0.8, 0.2, 0] },
  { code: '2614', weight: 4, word: '化工', category: [0.6, 0.4, 0] },
  { code: '1713', weight: 8, word: '印染', category: [0.5, 0.5, 0] },
  { code: '2710', weight: 3, word: '药业', category: [0.7, 0.3, 0] },
  { code: '3130', weight: 3, word: '钢业', category: [0.3, 0.5, 0.2] },
  { code: '3360', weight: 8, word: '表面处理', category: [0.3, 0.6, 0.1] },
  { code: '2221', weight: 4, word: '纸业', category: [0.5, 0.4, 0.1] },
  { code: '2641', weight: 4, word: '涂料', category: [0.2, 0.6, 0.2] },
  { code: '2921', weight: 8, word: '塑业', category: [0, 0.3, 0.7] },
  { code: '3982', weight: 6, word: '电子', category: [0.2, 0.5, 0.3] },
  { code: '1511', weight: 1, word: '酒业', category: [0.3, 0.5, 0.2] },
  { code: '1311', weight: 4, word: '粮油', category: [0, 0.2, 0.8] },
  { code: '3670', weight: 8, word: '汽车部件', category: [0, 0.4, 0.6] },
  { code: '3311', weight: 6, word: '钢结构', category: [0, 0.2, 0.8] },
  { code: '2110', weight: 8, word: '家具', category: [0, 0.3, 0.7] },
  { code: '1819', weight: 6, word: '服饰', category: [0, 0.1, 0.9] },
  { code: '0313', weight: 5, word: '牧业', category: [0.3, 0.3, 0.4] },
  { code: '3021', weight: 3, word: '建材', category: [0, 0.3, 0.7] },
  { code: '8411', weight: 3, word: '医院', category: [0.1, 0.4, 0.5] },
  { code: '7820', weight: 2, word: '环境卫生', category: [0.6, 0.3, 0.1] },
  { code: '3843', weight: 3, word: '电池', category: [0.4, 0.5, 0.1] },
];

export const BRAND_WORDS = [
  '宏达', '恒信', '华能', '新源', '永盛', '金诚', '天合', '瑞丰', '东方', '中天', '振兴', '鼎盛', '广元', '富春', '钱江',
  '之江', '明珠', '远大', '长城', '海峰', '嘉利', '兴业', '荣盛', '万隆', '正和', '华峰', '科力', '绿源', '清源', '蓝天',
  '信达', '德润', '恒丰', '立新', '春晖', '凯旋', '博远', '天盛', '泰和', '伟业', '锦华', '汇通', '合力', '安泰', '双龙',
];

export const ROAD_WORDS = ['人民', '解放', '建设', '工业', '园区', '滨江', '经济', '开发', '新华', '环城', '东风', '中山', '科技', '创业', '文化'];

export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '罗'];
export const GIVEN_NAMES = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '建华', '国强', '晓东', '海燕'];

/** Demo logins, one per role. README lists them; the password is the same for all. */
export const DEMO_PASSWORD = 'ecopermit2026';
export const DEMO_USERS: { username: string; displayName: string; role: string; regionPrefix: string; enterprise?: boolean }[] = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', regionPrefix: '' },
  { username: 'ministry', displayName: '生态环境部 张司长', role: 'ministry', regionPrefix: '' },
  { username: 'zj-province', displayName: '浙江省生态环境厅 李处长', role: 'provincial', regionPrefix: '33' },
  { username: 'hz-permit', displayName: '杭州市生态环境局 审批科 王科长', role: 'municipal_permit', regionPrefix: '3301' },
  { username: 'hz-enforce', displayName: '杭州市生态环境局 执法支队 赵队长', role: 'municipal_enforcement', regionPrefix: '3301' },
  { username: 'hz-monitor', displayName: '杭州市环境监测中心站 刘工', role: 'monitoring', regionPrefix: '3301' },
  { username: 'nb-permit', displayName: '宁波市生态环境局 审批科 陈科长', role: 'municipal_permit', regionPrefix: '3302' },
  { username: 'expert1', displayName: '专家 周教授', role: 'expert', regionPrefix: '33' },
  { username: 'agency1', displayName: '浙江绿环环境技术咨询有限公司', role: 'agency', regionPrefix: '33' },
  { username: 'enterprise1', displayName: '排污单位 环保专员', role: 'enterprise', regionPrefix: '', enterprise: true },
];
